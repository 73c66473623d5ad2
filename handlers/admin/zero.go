package admin

import (
	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/models"
)

// ZeroPages gives each page of this area empty data and an empty form;
// the smoke test renders every page with them, so a template that
// dereferences something optional fails in tests, not in production.
func ZeroPages() map[string]web.PageData {
	return map[string]web.PageData{
		web.TplAdminDashboard: {Data: adminDashboard{}},
		web.TplAdminOutbox:    {Data: adminOutbox{}},
		web.TplAdminEmail:     {Data: &models.Email{}},
		web.TplAdminOrders:    {Data: []models.Order{}},
		web.TplAdminSession:   {Data: adminSessionPage{Session: &models.Session{}}, Form: map[string]string{}},
	}
}
