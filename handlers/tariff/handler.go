// Package tariff serves the tariff reference: the HTS browser, line pages
// and search, the duty calculator, and their JSON API.
//
// It may import handlers/web, adapters (internal/hts, internal/duty) and
// models; never another handler area.
package tariff

import (
	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/duty"
	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// Handler serves the tariff pages. A nil index makes them answer 503.
type Handler struct {
	web  *web.Base
	hts  *hts.Index
	duty *duty.Table
}

// New builds the tariff area.
func New(base *web.Base, index *hts.Index, table *duty.Table) *Handler {
	return &Handler{web: base, hts: index, duty: table}
}
