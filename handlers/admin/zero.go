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
		tplSchedule:           {Data: schedulePage{}},
		tplSessionForm:        {Data: sessionFormPage{}, Form: map[string]string{}},
		tplSessionCancel:      {Data: cancelPage{Session: &models.Session{}}, Form: map[string]string{}},
		tplCancelled:          {Data: cancelledPage{Session: &models.Session{}, Record: &models.SessionCancellation{}}},
		tplSeries:             {Data: seriesPage{}, Form: map[string]string{}},
		tplSeriesShow:         {Data: seriesShowPage{Series: &models.SessionSeries{}}, Form: map[string]string{}},
		tplWorkshops:          {Data: []models.Workshop{}},
		tplWorkshopForm:       {Data: workshopFormPage{}, Form: map[string]string{}},
		tplAudit:              {Data: auditPage{}, Form: map[string]string{}},
		tplRoster:             {Data: rosterPage{Session: &models.Session{}}, User: &models.User{}},
		tplSignIn:             {Data: rosterPage{Session: &models.Session{}}},
		tplAttendance:         {Data: rosterPage{Session: &models.Session{}}, Form: map[string]string{}},
		tplStaffSessions:      {Data: []models.Session{}, User: &models.User{}},
		tplBulkEmail:          {Data: bulkPage{Session: &models.Session{}}, Form: map[string]string{}},
	}
}
