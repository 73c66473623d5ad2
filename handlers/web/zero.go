package web

// ZeroPages gives each page of this area empty data and an empty form;
// the smoke test renders every page with them, so a template that
// dereferences something optional fails in tests, not in production.
func ZeroPages() map[string]PageData {
	return map[string]PageData{
		TplError: {Data: errorPage{Status: 500}},
	}
}
