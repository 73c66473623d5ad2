package models

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"
)

// SavedBatchMaxGzip caps the compressed result a user may save (5 MB).
const SavedBatchMaxGzip = 5 << 20

// SavedBatchNameMax is the longest name a saved batch may have, in
// characters.
const SavedBatchNameMax = 120

// ErrBatchTooBig is returned when a result is over SavedBatchMaxGzip once
// compressed; nothing is stored.
var ErrBatchTooBig = errors.New("batch result too large to save")

// SavedBatch is a batch result a logged-in user chose to keep: the result
// CSV (gzip-compressed) and its summary figures. The uploaded file itself
// is never stored.
type SavedBatch struct {
	ID       uint   `gorm:"primaryKey"`
	UserID   uint   `gorm:"not null;index"`
	Name     string `gorm:"size:120;not null"`
	FileName string `gorm:"size:200;not null;default:''"`
	// Rows counts the computed rows; ErrorRows the rows with an error.
	Rows      int `gorm:"not null"`
	ErrorRows int `gorm:"not null;default:0"`
	// IEEPACents, DutiesCents and S122Cents are the totals in cents.
	IEEPACents  int64 `gorm:"not null"`
	DutiesCents int64 `gorm:"not null"`
	S122Cents   int64 `gorm:"not null"`
	// ResultGzip is the result CSV, gzip-compressed; ResultBytes its
	// uncompressed size.
	ResultGzip  []byte    `gorm:"not null"`
	ResultBytes int       `gorm:"not null"`
	CreatedAt   time.Time `gorm:"not null;index"`
}

// SaveBatch compresses csv into b.ResultGzip and stores b for its owner
// (b.UserID). A result over SavedBatchMaxGzip compressed is refused with
// ErrBatchTooBig and nothing is stored.
func SaveBatch(ctx context.Context, db *gorm.DB, b *SavedBatch, csv []byte) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(csv); err != nil {
		return fmt.Errorf("save batch: compress: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("save batch: compress: %w", err)
	}
	if buf.Len() > SavedBatchMaxGzip {
		return fmt.Errorf("save batch: %d bytes compressed: %w", buf.Len(), ErrBatchTooBig)
	}
	b.ID, b.ResultGzip, b.ResultBytes = 0, buf.Bytes(), len(csv)
	if b.CreatedAt.IsZero() {
		b.CreatedAt = utcNow()
	}
	if err := db.WithContext(ctx).Create(b).Error; err != nil {
		return fmt.Errorf("save batch: %w", err)
	}
	return nil
}

// ListSavedBatches lists a user's saved batches, newest first, without
// their result files.
func ListSavedBatches(ctx context.Context, db *gorm.DB, userID uint) ([]SavedBatch, error) {
	var out []SavedBatch
	err := db.WithContext(ctx).Omit("ResultGzip").Where("user_id = ?", userID).
		Order("created_at DESC, id DESC").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list saved batches: %w", err)
	}
	return out, nil
}

// FindSavedBatch loads a saved batch of its owner; another user's batch is
// ErrNotFound, as if it did not exist.
func FindSavedBatch(ctx context.Context, db *gorm.DB, userID, id uint) (*SavedBatch, error) {
	var b SavedBatch
	err := db.WithContext(ctx).Where("id = ? AND user_id = ?", id, userID).Take(&b).Error
	if err != nil {
		return nil, translate(err, "find saved batch %d", id)
	}
	return &b, nil
}

// CSV returns the uncompressed result file.
func (b *SavedBatch) CSV() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b.ResultGzip))
	if err != nil {
		return nil, fmt.Errorf("saved batch %d: %w", b.ID, err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, int64(b.ResultBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("saved batch %d: %w", b.ID, err)
	}
	return out, nil
}

// DeleteSavedBatch deletes a saved batch of its owner; another user's
// batch is ErrNotFound.
func DeleteSavedBatch(ctx context.Context, db *gorm.DB, userID, id uint) error {
	res := db.WithContext(ctx).Where("id = ? AND user_id = ?", id, userID).Delete(&SavedBatch{})
	if res.Error != nil {
		return fmt.Errorf("delete saved batch %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete saved batch %d: %w", id, ErrNotFound)
	}
	return nil
}
