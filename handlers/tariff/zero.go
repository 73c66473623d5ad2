package tariff

import (
	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// ZeroPages gives each page of this area empty data and an empty form;
// the smoke test renders every page with them, so a template that
// dereferences something optional fails in tests, not in production.
func ZeroPages() map[string]web.PageData {
	return map[string]web.PageData{
		web.TplDutyCalculator: {Data: dutyPage{}},
		web.TplDutyBatch:      {Data: batchPage{}},
		web.TplDutyBatches:    {Data: batchesPage{Batches: []savedBatchRow{{}}}},
		web.TplHTSBrowse:      {Data: browsePage{}},
		web.TplHTSChapter:     {Data: linePage{Line: &hts.Line{}}},
		web.TplHTSHeading:     {Data: linePage{Line: &hts.Line{}}},
		web.TplHTSLine:        {Data: linePage{Line: &hts.Line{}}},
		web.TplHTSSearch:      {Data: searchPage{Query: "x", Results: []searchResult{{Line: &hts.Line{}}}}},
		web.TplHTSMissing:     {Data: missingPage{}},
	}
}
