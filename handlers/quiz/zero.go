package quiz

import (
	"github.com/hsworkshop/hsworkshop/handlers/web"
	qz "github.com/hsworkshop/hsworkshop/internal/quiz"
	"github.com/hsworkshop/hsworkshop/internal/quizsvc"
	"github.com/hsworkshop/hsworkshop/models"
)

// ZeroPages gives each page of this area empty data and an empty form;
// the smoke test renders every page with them, so a template that
// dereferences something optional fails in tests, not in production.
func ZeroPages() map[string]web.PageData {
	v := &quizsvc.View{Items: []quizsvc.ViewItem{{Position: 1}}}
	return map[string]web.PageData{
		TplIndex:     {Data: indexPage{Catalog: &quizsvc.Catalog{}}},
		TplAttempt:   {Data: attemptPage{View: v, Item: &v.Items[0]}},
		TplResult:    {Data: resultPage{View: &quizsvc.View{Outcome: &qz.Outcome{}}}},
		TplProgress:  {Data: progressPage{Progress: &quizsvc.Progress{}}},
		TplAnalytics: {Data: analyticsPage{A: &quizsvc.Analytics{}}},
		TplClass:     {Data: classPage{Session: &models.Session{}}},
		TplItems:     {Data: itemsPage{}},
		TplItem:      {Data: itemPage{Item: &quizsvc.ItemRow{Question: &qz.Question{}}}},
	}
}
