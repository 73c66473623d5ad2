package models

import (
	"time"

	"gorm.io/gorm"
)

// migrate0006Audit creates the append-only audit log of staff actions. On
// PostgreSQL a trigger refuses UPDATE and DELETE; on SQLite two triggers
// do the same with RAISE(ABORT).
func migrate0006Audit(tx *gorm.DB) error {
	type auditEntry struct {
		ID         uint      `gorm:"primaryKey"`
		At         time.Time `gorm:"not null;index"`
		ActorID    *uint     `gorm:"index"`
		ActorEmail string    `gorm:"size:254;not null;default:''"`
		Action     string    `gorm:"size:80;not null;index"`
		ObjectType string    `gorm:"size:40;not null;index:idx_audit_object,priority:1"`
		ObjectID   string    `gorm:"size:80;not null;default:'';index:idx_audit_object,priority:2"`
		Summary    string    `gorm:"size:500;not null;default:''"`
		Before     string    `gorm:"type:text;not null;default:'{}'"`
		After      string    `gorm:"type:text;not null;default:'{}'"`
		IP         string    `gorm:"size:64;not null;default:''"`
	}
	if err := tx.Table("audit_entries").AutoMigrate(&auditEntry{}); err != nil {
		return err
	}
	if IsPostgres(tx) {
		if err := tx.Exec(`CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_entries is append-only';
END;
$$ LANGUAGE plpgsql`).Error; err != nil {
			return err
		}
		return tx.Exec(`CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()`).Error
	}
	for _, op := range []string{"UPDATE", "DELETE"} {
		stmt := "CREATE TRIGGER audit_entries_no_" + op + " BEFORE " + op +
			" ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END"
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}
