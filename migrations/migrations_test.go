package migrations

import (
	"slices"
	"strings"
	"testing"
)

func TestEnginesHaveSameVersions(t *testing.T) {
	t.Parallel()
	lite, err := Versions(EngineSQLite)
	if err != nil {
		t.Fatalf("Versions(%q) error = %v", EngineSQLite, err)
	}
	pg, err := Versions(EnginePostgres)
	if err != nil {
		t.Fatalf("Versions(%q) error = %v", EnginePostgres, err)
	}
	if len(lite) == 0 {
		t.Fatalf("Versions(%q) = [], want at least one migration", EngineSQLite)
	}
	if !slices.Equal(lite, pg) {
		t.Errorf("Versions(sqlite) = %v, Versions(postgres) = %v: want the same versions in both folders", lite, pg)
	}
	for i, v := range lite {
		if v != i+1 {
			t.Errorf("Versions(sqlite)[%d] = %d, want %d: versions must be 1, 2, 3 ... without gaps", i, v, i+1)
		}
	}
}

func TestListNamesMatchAcrossEngines(t *testing.T) {
	t.Parallel()
	lite, err := List(EngineSQLite)
	if err != nil {
		t.Fatalf("List(sqlite) error = %v", err)
	}
	pg, err := List(EnginePostgres)
	if err != nil {
		t.Fatalf("List(postgres) error = %v", err)
	}
	for i := range min(len(lite), len(pg)) {
		if lite[i].Name != pg[i].Name {
			t.Errorf("version %d is named %q for sqlite and %q for postgres, want one name", lite[i].Version, lite[i].Name, pg[i].Name)
		}
		if strings.TrimSpace(lite[i].SQL) == "" || strings.TrimSpace(pg[i].SQL) == "" {
			t.Errorf("version %d has an empty file", lite[i].Version)
		}
	}
}

func TestListUnknownEngine(t *testing.T) {
	t.Parallel()
	if _, err := List("oracle"); err == nil {
		t.Errorf(`List("oracle") error = nil, want an error`)
	}
}

func TestLatest(t *testing.T) {
	t.Parallel()
	got, err := Latest(EngineSQLite)
	if err != nil {
		t.Fatalf("Latest(sqlite) error = %v", err)
	}
	versions, _ := Versions(EngineSQLite)
	if want := versions[len(versions)-1]; got != want {
		t.Errorf("Latest(sqlite) = %d, want %d", got, want)
	}
}

func TestParseName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		version int
		name    string
		ok      bool
	}{
		{"0001_init.sql", 1, "init", true},
		{"0012_add_index_on_x.sql", 12, "add_index_on_x", true},
		{"init.sql", 0, "", false},
		{"0000_zero.sql", 0, "", false},
		{"abcd_init.sql", 0, "", false},
		{"0002_.sql", 0, "", false},
	}
	for _, tt := range tests {
		version, name, err := parseName(tt.file)
		if (err == nil) != tt.ok || version != tt.version || name != tt.name {
			t.Errorf("parseName(%q) = %d, %q, %v; want %d, %q, ok=%v", tt.file, version, name, err, tt.version, tt.name, tt.ok)
		}
	}
}
