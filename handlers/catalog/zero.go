package catalog

import (
	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/models"
)

// ZeroPages gives each page of this area empty data and an empty form;
// the smoke test renders every page with them, so a template that
// dereferences something optional fails in tests, not in production.
func ZeroPages() map[string]web.PageData {
	return map[string]web.PageData{
		web.TplHome:         {Data: homePage{}},
		web.TplCatalog:      {Data: catalogPage{}},
		web.TplSessionShow:  {Data: sessionPage{Session: &models.Session{}}},
		web.TplWorkshopShow: {Data: workshopPage{Workshop: &models.Workshop{}}},
		web.TplTerms:        {},
	}
}
