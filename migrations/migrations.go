// Package migrations holds the gateway's versioned database schema: numbered
// SQL files, one folder per engine (sqlite/, postgres/), embedded in the
// binary. Both folders hold the same version numbers; version N is the same
// schema written in each engine's dialect.
//
// File names are NNNN_name.sql (for example 0001_init.sql). Each file is
// applied once, in its own transaction, by the store's migrator
// (gateway/store/sqlstore), which records it in the schema_migrations table.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// FS holds the SQL files, under sqlite/ and postgres/.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS

// Engine folder names, equal to store.EngineSQLite and store.EnginePostgres.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// Migration is one numbered SQL file of one engine.
type Migration struct {
	Version int    // from the file name's leading digits
	Name    string // the file name without its version and extension, e.g. "init"
	SQL     string // the file's contents
}

// List returns engine's migrations in ascending version order. It fails on an
// unknown engine, a file named other than NNNN_name.sql, or a repeated
// version.
func List(engine string) ([]Migration, error) {
	if engine != EngineSQLite && engine != EnginePostgres {
		return nil, fmt.Errorf("list migrations: unknown engine %q", engine)
	}
	entries, err := fs.ReadDir(FS, engine)
	if err != nil {
		return nil, fmt.Errorf("list migrations %s: %w", engine, err)
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		version, name, err := parseName(e.Name())
		if err != nil {
			return nil, fmt.Errorf("list migrations %s: %w", engine, err)
		}
		body, err := FS.ReadFile(path.Join(engine, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("list migrations %s: %w", engine, err)
		}
		out = append(out, Migration{Version: version, Name: name, SQL: string(body)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("list migrations %s: version %d appears twice", engine, out[i].Version)
		}
	}
	return out, nil
}

// Versions returns the version numbers of engine's migrations, ascending.
func Versions(engine string) ([]int, error) {
	ms, err := List(engine)
	if err != nil {
		return nil, err
	}
	versions := make([]int, len(ms))
	for i, m := range ms {
		versions[i] = m.Version
	}
	return versions, nil
}

// Latest returns the highest version of engine's migrations: the schema
// version this binary expects.
func Latest(engine string) (int, error) {
	versions, err := Versions(engine)
	if err != nil {
		return 0, err
	}
	if len(versions) == 0 {
		return 0, fmt.Errorf("latest migration %s: no migrations", engine)
	}
	return versions[len(versions)-1], nil
}

// parseName splits "0001_init.sql" into 1 and "init".
func parseName(file string) (int, string, error) {
	base := strings.TrimSuffix(file, ".sql")
	digits, name, ok := strings.Cut(base, "_")
	if !ok || digits == "" || name == "" {
		return 0, "", fmt.Errorf("file %q: want NNNN_name.sql", file)
	}
	version, err := strconv.Atoi(digits)
	if err != nil || version <= 0 {
		return 0, "", fmt.Errorf("file %q: version %q is not a positive number", file, digits)
	}
	return version, name, nil
}
