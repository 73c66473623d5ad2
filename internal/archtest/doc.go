// Package archtest holds no code: its test enforces the import rules of
// the README's architecture section, so the layering cannot rot. It
// imports nothing from the project.
package archtest
