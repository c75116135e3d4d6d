package nlp

import (
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadConfigProjectFiles(t *testing.T) {
	t.Parallel()
	cfg, err := LoadConfig(os.DirFS(configDir))
	if err != nil {
		t.Fatalf("LoadConfig(%s) error = %v, want nil", configDir, err)
	}
	if len(cfg.Tone.Markers) == 0 || len(cfg.Urgency.Signals) == 0 || len(cfg.Categories.Rules) == 0 {
		t.Errorf("LoadConfig(%s) = %d tone markers, %d urgency signals, %d category rules; want some of each",
			configDir, len(cfg.Tone.Markers), len(cfg.Urgency.Signals), len(cfg.Categories.Rules))
	}
	if _, err := New(cfg); err != nil {
		t.Errorf("New(config of %s) error = %v, want nil", configDir, err)
	}
}

// brokenFS is the project's configuration with the given files replaced.
func brokenFS(t *testing.T, files map[string]string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	entries, err := os.ReadDir(configDir)
	if err != nil {
		t.Fatalf("read %s: %v", configDir, err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(configDir + "/" + e.Name())
		if err != nil {
			t.Fatalf("read %s: %v", e.Name(), err)
		}
		fsys[e.Name()] = &fstest.MapFile{Data: data}
	}
	for name, body := range files {
		if body == "" {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

func TestLoadConfigReportsEveryProblem(t *testing.T) {
	t.Parallel()
	tone, err := os.ReadFile(configDir + "/tone.yaml")
	if err != nil {
		t.Fatal(err)
	}
	badTone := strings.Replace(string(tone), "weight: -0.35", "weight: 0.35", 1) +
		"\nlexicon_typo: {}\n"
	fsys := brokenFS(t, map[string]string{
		"tone.yaml":   badTone,
		"extra.yaml":  "a: 1\n",
		"facts.yaml":  "",
		"text.yaml":   "negators: [not]\nnegation_window: 9\npronouns: [he]\nclause_min_words: 5\n",
		"notes.txt":   "ignored",
		"urgency.yml": "",
	})
	_, err = LoadConfig(fsys)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("LoadConfig(broken) error = %v, want a *ConfigError", err)
	}
	for _, want := range []string{
		"extra.yaml: unknown file",
		"facts.yaml: open facts.yaml",
		"tone.yaml: yaml: unmarshal errors",
		"lexicon_typo",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("LoadConfig(broken) error =\n%v\nwant it to mention %q", err, want)
		}
	}

	// Values are checked once the files parse: every problem at once.
	fsys = brokenFS(t, map[string]string{
		"tone.yaml": strings.Replace(string(tone), "weight: -0.35", "weight: 0.35", 1),
		"text.yaml": "negators: [not]\nnegation_window: 9\npronouns: [he, he]\nclause_min_words: 5\nfillers: [\"[um\"]\n",
	})
	_, err = LoadConfig(fsys)
	for _, want := range []string{
		`tone.yaml: markers[0].weight: 0.35 has the wrong sign for kind "anger"`,
		"text.yaml: negation_window: 9 is outside 1..6",
		`text.yaml: pronouns[1]: duplicate "he"`,
		`text.yaml: fillers[0]: "[um": "[" is not closed`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadConfig(bad values) error =\n%v\nwant it to mention %q", err, want)
		}
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	t.Parallel()
	if _, err := New(nil); err == nil {
		t.Error("New(nil) error = nil, want an error")
	}
	cfg := testConfig(t)
	cfg.Urgency.Levels.High = 0.9
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "levels") {
		t.Errorf("New(levels high > critical) error = %v, want one naming levels", err)
	}
}

// TestLoadConfigRefusesAmbiguousAlternatives: a bare "|" beside other
// words once cut "has not" in two and made phrases that never match; it
// is refused, by file and key, with the form to use instead.
func TestLoadConfigRefusesAmbiguousAlternatives(t *testing.T) {
	t.Parallel()
	cats, err := os.ReadFile(configDir + "/categories.yaml")
	if err != nil {
		t.Fatal(err)
	}
	first := "    phrases:\n      - "
	i := strings.Index(string(cats), first)
	if i < 0 {
		t.Fatalf("categories.yaml has no block list of phrases")
	}
	bad := string(cats[:i+len(first)]) + "\"hasn't|has not arrived\"\n      - " + string(cats[i+len(first):])
	_, err = LoadConfig(brokenFS(t, map[string]string{"categories.yaml": bad}))
	want := `categories.yaml: rules[0].phrases[0]: "hasn't|has not arrived": a bare | (in "hasn't|has")`
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "use (a b|c) for alternatives of several words") {
		t.Errorf("LoadConfig(ambiguous phrase) error = %v, want one saying %q and suggesting (a b|c)", err, want)
	}
	if err != nil && strings.Count(err.Error(), "\n") != 0 {
		t.Errorf("LoadConfig(one ambiguous phrase) error = %v, want that one problem only", err)
	}
}
