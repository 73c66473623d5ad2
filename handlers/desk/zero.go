package desk

import (
	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/desk"
	"github.com/hsworkshop/hsworkshop/models"
)

// ZeroPages gives each page of this area empty data and an empty form;
// the smoke test renders every page with them.
func ZeroPages() map[string]web.PageData {
	return map[string]web.PageData{
		TplOrders:    {Data: ordersPage{}, Form: orderSearch{}},
		TplOrder:     {Data: orderPage{Detail: &desk.OrderDetail{Order: &models.Order{}}}, Form: orderForms{}},
		TplFlags:     {Data: desk.Queue{}},
		TplDiscounts: {Data: discountsPage{}, Form: desk.DiscountInput{}},
		TplDiscount:  {Data: discountPage{Code: &models.DiscountCode{}}, Form: desk.DiscountInput{}},
		TplWaitlist:  {Data: []models.WaitlistEntry{}},
		TplReports:   {Data: reportsPage{Report: &desk.Report{}}},
		TplUsers:     {Data: usersPage{}, Form: inviteForm{}},
	}
}
