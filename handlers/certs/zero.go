package certs

import (
	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/certificate"
	"github.com/hsworkshop/hsworkshop/models"
)

// ZeroPages gives each page of this area empty data; the smoke test renders
// every page with them.
func ZeroPages() map[string]web.PageData {
	return map[string]web.PageData{
		TplVerify:        {Data: verifyPage{}},
		TplMine:          {Data: minePage{Transcript: &certificate.Transcript{}}},
		TplAdminIndex:    {Data: adminIndex{}},
		TplAdminSession:  {Data: adminSession{Preview: &certificate.Preview{Session: &models.Session{}}}},
		TplAdminShow:     {Data: adminShow{Certificate: &models.Certificate{}}, Form: map[string]string{}},
		TplAdminWorkshop: {Data: []models.WorkshopCE{}},
		TplAdminEditWS:   {Data: &models.WorkshopCE{}, Form: map[string]any{}},
	}
}
