package learn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/models"
)

// SyncResult counts what a Sync did with each lesson file.
type SyncResult struct {
	Tracks    int      // tracks created or updated
	Created   int      // new lessons
	Updated   int      // lessons whose file changed and that staff had not edited
	Unchanged int      // lessons whose file is as last synced
	Kept      []string // slugs of staff-edited lessons left as they are
}

// Sync loads the lessons in fsys (the content tree, with lessons/ at its
// root), renders them and writes them to the database in one transaction.
// A lesson staff have edited is kept, not overwritten; others are updated
// when their file changed. Lessons whose file was removed are left in place
// (learners' progress refers to them). Run it at seed or migrate time.
func Sync(ctx context.Context, db *gorm.DB, fsys fs.FS, r *Renderer) (SyncResult, error) {
	var res SyncResult
	c, err := Load(fsys)
	if err != nil {
		return res, fmt.Errorf("sync lessons: %w", err)
	}
	rows := make([]models.Lesson, len(c.Lessons))
	for i, lf := range c.Lessons {
		row, err := lessonRow(lf, r)
		if err != nil {
			return res, fmt.Errorf("sync lessons: %w", err)
		}
		rows[i] = row
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res = SyncResult{}
		trackIDs := map[string]uint{}
		for _, tf := range c.Tracks {
			t := models.Track{Slug: tf.Slug, Title: tf.Title, Summary: tf.Summary, Position: tf.Order}
			if err := models.SaveTrack(ctx, tx, &t); err != nil {
				return err
			}
			trackIDs[t.Slug] = t.ID
			res.Tracks++
		}
		for i := range rows {
			row := &rows[i]
			row.TrackID = trackIDs[c.Lessons[i].Track]
			cur, err := models.FindLessonBySlug(ctx, tx, row.Slug)
			switch {
			case errors.Is(err, models.ErrNotFound):
				if err := models.CreateLesson(ctx, tx, row); err != nil {
					return err
				}
				res.Created++
				continue
			case err != nil:
				return err
			case cur.EditedByStaff:
				res.Kept = append(res.Kept, row.Slug)
				continue
			case cur.SourceHash == row.SourceHash && cur.TrackID == row.TrackID:
				res.Unchanged++
				continue
			}
			row.ID = cur.ID
			if err := models.UpdateSyncedLesson(ctx, tx, row); err != nil {
				return err
			}
			res.Updated++
		}
		return nil
	})
	if err != nil {
		return SyncResult{}, fmt.Errorf("sync lessons: %w", err)
	}
	return res, nil
}

// lessonRow renders a lesson file into its database row (without TrackID).
func lessonRow(lf LessonFile, r *Renderer) (models.Lesson, error) {
	out, err := r.Render(lf.Slug, lf.Body)
	if err != nil {
		return models.Lesson{}, fmt.Errorf("%s: %w", lf.Path, err)
	}
	row := models.Lesson{Slug: lf.Slug, Position: lf.Order, Title: lf.Title, Summary: lf.Summary,
		Minutes: lf.Minutes, AsOf: lf.AsOf, BodyMD: lf.Body, HTML: out.HTML, SourcePath: lf.Path, SourceHash: lf.Hash}
	prereq := lf.Prerequisites
	if prereq == nil {
		prereq = []string{}
	}
	for _, f := range []struct {
		dst *string
		v   any
	}{{&row.Prerequisites, prereq}, {&row.Sources, lf.Sources}, {&row.SelfCheck, lf.SelfCheck}, {&row.TOC, out.TOC}} {
		b, err := json.Marshal(f.v)
		if err != nil {
			return models.Lesson{}, fmt.Errorf("%s: encode: %w", lf.Path, err)
		}
		*f.dst = string(b)
	}
	return row, nil
}
