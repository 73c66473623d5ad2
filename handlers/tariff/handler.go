// Package tariff serves the tariff reference: the HTS browser, line pages
// and search, the duty calculator, and their JSON API.
//
// It may import handlers/web, adapters (internal/hts, internal/duty) and
// models; never another handler area.
package tariff

import (
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/duty"
	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// Handler serves the tariff pages. A nil index makes them answer 503.
type Handler struct {
	web  *web.Base
	hts  *hts.Index
	duty *duty.Table
	// db stores the batch results users save to their account.
	db *gorm.DB
}

// New builds the tariff area.
func New(base *web.Base, index *hts.Index, table *duty.Table, db *gorm.DB) *Handler {
	return &Handler{web: base, hts: index, duty: table, db: db}
}
