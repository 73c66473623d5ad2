package learn

import (
	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/learn"
	"github.com/hsworkshop/hsworkshop/models"
)

// ZeroPages gives each page of this area empty data and an empty form;
// the smoke test renders every page with them, so a template that
// dereferences something optional fails in tests, not in production.
func ZeroPages() map[string]web.PageData {
	return map[string]web.PageData{
		web.TplLearnTracks:      {Data: tracksPage{}},
		web.TplLearnLesson:      {Data: lessonView{Lesson: &learn.LessonPage{}}},
		web.TplLearnDashboard:   {Data: dashboardPage{}},
		web.TplLearnOriginLab:   {Data: labPage{}, Form: labForm{}},
		web.TplAdminLessons:     {Data: adminLessonsPage{}},
		web.TplAdminLessonEdit:  {Data: editLessonPage{Lesson: &models.Lesson{}}, Form: lessonForm{}},
		web.TplAdminPrework:     {Data: adminPreworkPage{}},
		web.TplAdminPreworkEdit: {Data: editPreworkPage{Workshop: &models.Workshop{}}},
	}
}
