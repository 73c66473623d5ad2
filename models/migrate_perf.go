package models

import (
	"fmt"

	"gorm.io/gorm"
)

// catalogTables are the tables the public catalog pages read: a change to
// any of them bumps the catalog's data version, in the same transaction
// (a database trigger, so code written later bumps it too). Seats left
// live on sessions, so every order that takes or frees a seat bumps it.
var catalogTables = []string{"sessions", "workshops", "topics", "workshop_topics"}

// migrate0012Perf creates data_versions (one counter per cached page set;
// "catalog" is the only one) and the triggers that bump it. On PostgreSQL
// one statement-level trigger per table runs a plpgsql function; on SQLite
// three row-level triggers per table do the same. Users bump it only when
// a field an instructor's box shows changes (name, job title, bio) or on
// delete.
func migrate0012Perf(tx *gorm.DB) error {
	type dataVersion struct {
		Name    string `gorm:"primaryKey;size:40"`
		Version int64  `gorm:"not null;default:0"`
	}
	if err := tx.Table("data_versions").AutoMigrate(&dataVersion{}); err != nil {
		return err
	}
	if err := tx.Exec("INSERT INTO data_versions (name, version) VALUES ('catalog', 1)").Error; err != nil {
		return err
	}
	const bump = "UPDATE data_versions SET version = version + 1 WHERE name = 'catalog'"
	var stmts []string
	if IsPostgres(tx) {
		stmts = append(stmts, "CREATE FUNCTION bump_catalog_version() RETURNS trigger AS $$\nBEGIN\n  "+bump+";\n  RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql")
		for _, t := range catalogTables {
			stmts = append(stmts, fmt.Sprintf("CREATE TRIGGER %s_bump_catalog AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s "+
				"FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version()", t, t))
		}
		stmts = append(stmts, "CREATE TRIGGER users_bump_catalog AFTER UPDATE OF name, job_title, bio OR DELETE ON users "+
			"FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version()")
	} else {
		for _, t := range catalogTables {
			for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
				stmts = append(stmts, fmt.Sprintf("CREATE TRIGGER %s_bump_catalog_%s AFTER %s ON %s BEGIN %s; END", t, op, op, t, bump))
			}
		}
		stmts = append(stmts,
			"CREATE TRIGGER users_bump_catalog_UPDATE AFTER UPDATE OF name, job_title, bio ON users BEGIN "+bump+"; END",
			"CREATE TRIGGER users_bump_catalog_DELETE AFTER DELETE ON users BEGIN "+bump+"; END")
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return fmt.Errorf("catalog version triggers: %w", err)
		}
	}
	return nil
}
