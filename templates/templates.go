// Package templates embeds the HTML templates: one base layout, shared
// partials, a file per page and the error pages.
package templates

import "embed"

// FS holds layouts/, partials/, pages/ and errors/.
//
//go:embed layouts partials pages errors
var FS embed.FS
