package booking

import (
	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/models"
)

// ZeroPages gives each page of this area empty data and an empty form;
// the smoke test renders every page with them, so a template that
// dereferences something optional fails in tests, not in production.
func ZeroPages() map[string]web.PageData {
	return map[string]web.PageData{
		web.TplRegister:        {Data: registerPage{Session: &models.Session{}}, Form: registerForm{}},
		web.TplOrderShow:       {Data: orderPage{Order: &models.Order{}}},
		web.TplMyRegistrations: {Data: myRegistrations{}},
		web.TplSeatShow:        {Data: &models.Seat{}},
		web.TplOrderConfirm:    {Form: confirmForm{}},
		web.TplWaitlist:        {Data: waitlistPage{Session: &models.Session{}}, Form: waitlistForm{}},
	}
}
