package account

import (
	"github.com/hsworkshop/hsworkshop/handlers/web"
)

// ZeroPages gives each page of this area empty data and an empty form;
// the smoke test renders every page with them, so a template that
// dereferences something optional fails in tests, not in production.
func ZeroPages() map[string]web.PageData {
	return map[string]web.PageData{
		web.TplSignup:  {Form: signupForm{}},
		web.TplLogin:   {Form: web.LoginForm{}},
		web.TplForgot:  {Form: forgotForm{}},
		web.TplReset:   {Form: resetForm{}},
		web.TplProfile: {Form: profileForm{}},
		web.TplVerify:  {Form: verifyForm{}},
	}
}
