package tariff

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/duty"
	"github.com/hsworkshop/hsworkshop/models"
)

// BatchesPath lists the batch results a user saved to their account.
const BatchesPath = "/tools/duty/batches"

// batchesPage is the data of the saved batches page.
type batchesPage struct {
	Batches []savedBatchRow
}

// savedBatchRow is one saved batch as the list shows it.
type savedBatchRow struct {
	ID        uint
	Name      string
	Created   string
	Rows      int
	ErrorRows int
	IEEPA     string
	S122      string
}

func usd(cents int64) string { return models.Money{Minor: cents, Currency: "USD"}.String() }

// saveBatch stores a computed result for u, or says why it could not.
func (h *Handler) saveBatch(c echo.Context, u *models.User, f batchForm, file string, sum duty.BatchSummary, csv []byte) string {
	name := f.Name
	if name == "" {
		name = strings.TrimSuffix(file, path.Ext(file))
		if r := []rune(name); len(r) > models.SavedBatchNameMax {
			name = string(r[:models.SavedBatchNameMax])
		}
		if strings.TrimSpace(name) == "" {
			name = "Batch entries"
		}
	}
	b := &models.SavedBatch{UserID: u.ID, Name: name, FileName: file, Rows: sum.Rows, ErrorRows: len(sum.Errors),
		IEEPACents: sum.IEEPA, DutiesCents: sum.Duties, S122Cents: sum.S122, CreatedAt: h.web.Now().UTC()}
	err := models.SaveBatch(c.Request().Context(), h.db, b, csv)
	switch {
	case errors.Is(err, models.ErrBatchTooBig):
		return fmt.Sprintf("The result is too large to save (over %d MB compressed). Nothing was stored: untick “Save the result to my account” to download it, or split the file.", models.SavedBatchMaxGzip>>20)
	case err != nil:
		h.web.Log.Error("save batch result", "user", u.ID, "err", err)
		return "The result could not be saved; nothing was stored. Try again."
	}
	return ""
}

// ListSavedBatches serves GET /tools/duty/batches: the user's saved
// results, newest first.
func (h *Handler) ListSavedBatches(c echo.Context) error {
	u := web.CurrentUser(c)
	list, err := models.ListSavedBatches(c.Request().Context(), h.db, u.ID)
	if err != nil {
		return err
	}
	p := batchesPage{Batches: make([]savedBatchRow, 0, len(list))}
	for _, b := range list {
		p.Batches = append(p.Batches, savedBatchRow{ID: b.ID, Name: b.Name, Created: b.CreatedAt.UTC().Format("2 Jan 2006, 15:04 UTC"),
			Rows: b.Rows, ErrorRows: b.ErrorRows, IEEPA: usd(b.IEEPACents), S122: usd(b.S122Cents)})
	}
	pd := web.PageData{Title: "Saved batch results", Description: "The batch results you saved to your account.", Data: p}
	return h.web.Render(c, http.StatusOK, web.TplDutyBatches, pd)
}

// SavedBatchCSV serves GET /tools/duty/batches/:id/result.csv: the saved
// result file, for its owner only (others get 404).
func (h *Handler) SavedBatchCSV(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	b, err := models.FindSavedBatch(c.Request().Context(), h.db, web.CurrentUser(c).ID, id)
	if err != nil {
		return err
	}
	csv, err := b.CSV()
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", batchResultName(b.FileName)))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", csv)
}

// DeleteSavedBatch serves POST /tools/duty/batches/:id/delete: the owner
// deletes a saved result (others get 404).
func (h *Handler) DeleteSavedBatch(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := models.DeleteSavedBatch(c.Request().Context(), h.db, web.CurrentUser(c).ID, id); err != nil {
		return err
	}
	web.SetFlash(c, "batch_deleted")
	return web.Redirect(c, BatchesPath)
}
