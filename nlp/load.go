package nlp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConfigError lists every problem LoadConfig found, each naming its file
// and key ("tone.yaml: markers[2].phrases[0]: empty phrase").
type ConfigError struct {
	Problems []string // one line per problem
}

// Error joins the problems, one per line.
func (e *ConfigError) Error() string {
	return "nlp config: " + strings.Join(e.Problems, "\n")
}

// configFiles names the files LoadConfig reads and where each goes.
func configFiles(c *Config) map[string]any {
	return map[string]any{
		"text.yaml":       &c.Text,
		"tone.yaml":       &c.Tone,
		"urgency.yaml":    &c.Urgency,
		"categories.yaml": &c.Categories,
		"facts.yaml":      &c.Facts,
		"language.yaml":   &c.Language,
	}
}

// ModelFile is the learned layer's weights file beside the YAML files;
// without it the analyser scores with the rules alone.
const ModelFile = "model.json"

// LoadConfig reads the YAML files at the root of fsys (text.yaml,
// tone.yaml, urgency.yaml, categories.yaml, facts.yaml, language.yaml)
// and the learned layer's model.json when there is one,
// refuses unknown keys and unknown files, validates every value and
// returns a *ConfigError listing every problem at once.
func LoadConfig(fsys fs.FS) (*Config, error) {
	cfg := &Config{}
	files := configFiles(cfg)
	var probs []string

	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read nlp config dir: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || (path.Ext(name) != ".yaml" && path.Ext(name) != ".yml") {
			continue
		}
		if _, ok := files[name]; !ok {
			probs = append(probs, fmt.Sprintf("%s: unknown file (want one of %s)", name, strings.Join(sortedKeys(files), ", ")))
		}
	}

	for _, name := range sortedKeys(files) {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			probs = append(probs, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(files[name]); err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("file is empty")
			}
			probs = append(probs, fmt.Sprintf("%s: %v", name, err))
		}
	}
	if data, err := fs.ReadFile(fsys, ModelFile); err == nil {
		if cfg.Model, err = ParseModel(data); err != nil {
			probs = append(probs, fmt.Sprintf("%s: %v", ModelFile, err))
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		probs = append(probs, fmt.Sprintf("%s: %v", ModelFile, err))
	}
	if len(probs) == 0 {
		probs = cfg.Validate()
	}
	if len(probs) > 0 {
		return nil, &ConfigError{Problems: probs}
	}
	return cfg, nil
}

// Validate returns every problem in c, each naming its file and key; nil
// when c is usable.
func (c *Config) Validate() []string {
	var out []string
	checkText(&checker{file: "text.yaml", out: &out}, &c.Text)
	checkTone(&checker{file: "tone.yaml", out: &out}, &c.Tone)
	checkUrgency(&checker{file: "urgency.yaml", out: &out}, &c.Urgency)
	checkCategories(&checker{file: "categories.yaml", out: &out}, &c.Categories)
	checkFacts(&checker{file: "facts.yaml", out: &out}, &c.Facts)
	checkLanguage(&checker{file: "language.yaml", out: &out}, &c.Language)
	return out
}

// checker collects the problems of one file.
type checker struct {
	file string
	out  *[]string
}

func (c *checker) addf(key, format string, args ...any) {
	*c.out = append(*c.out, fmt.Sprintf("%s: %s: %s", c.file, key, fmt.Sprintf(format, args...)))
}

func (c *checker) between(key string, v, lo, hi float64) {
	if v < lo || v > hi {
		c.addf(key, "%v is outside %v..%v", v, lo, hi)
	}
}

func (c *checker) words(key string, list []string, required bool) {
	if required && len(list) == 0 {
		c.addf(key, "must not be empty")
	}
	seen := make(map[string]bool, len(list))
	for i, w := range list {
		k := fmt.Sprintf("%s[%d]", key, i)
		if _, err := parsePhrase(w); err != nil {
			c.addf(k, "%v", err)
			continue
		}
		lw := strings.ToLower(strings.TrimSpace(w))
		if seen[lw] {
			c.addf(k, "duplicate %q", w)
		}
		seen[lw] = true
	}
}

// groups checks phrase groups: known kinds, weights of the right sign and
// size, valid phrases, no phrase twice under one kind.
func (c *checker) groups(key string, gs []PhraseGroup, kinds map[string]int, maxAbs float64) {
	seen := map[string]string{}
	for i, g := range gs {
		gk := fmt.Sprintf("%s[%d]", key, i)
		sign, ok := kinds[g.Kind]
		if !ok {
			c.addf(gk+".kind", "unknown kind %q (want one of %s)", g.Kind, strings.Join(sortedKeys(kinds), ", "))
		}
		switch {
		case g.Weight == 0:
			c.addf(gk+".weight", "must not be zero")
		case sign > 0 && g.Weight < 0, sign < 0 && g.Weight > 0:
			c.addf(gk+".weight", "%v has the wrong sign for kind %q", g.Weight, g.Kind)
		}
		c.between(gk+".weight", g.Weight, -maxAbs, maxAbs)
		if len(g.Phrases) == 0 {
			c.addf(gk+".phrases", "must not be empty")
		}
		for j, p := range g.Phrases {
			pk := fmt.Sprintf("%s.phrases[%d]", gk, j)
			if _, err := parsePhrase(p); err != nil {
				c.addf(pk, "%v", err)
				continue
			}
			id := g.Kind + "\x00" + strings.ToLower(strings.TrimSpace(p))
			if prev, dup := seen[id]; dup {
				c.addf(pk, "duplicate of %s (%q)", prev, p)
			}
			seen[id] = pk
		}
	}
}

func (c *checker) caps(key string, caps map[string]float64, kinds map[string]int) {
	for _, k := range sortedKeys(caps) {
		if _, ok := kinds[k]; !ok {
			c.addf(key+"."+k, "unknown kind")
		}
		c.between(key+"."+k, caps[k], 0.01, 10)
	}
}

func (c *checker) ramp(key string, r Ramp) {
	c.between(key+".per", r.Per, 0, 2)
	c.between(key+".max", r.Max, 0, 5)
}

func sortedKeys[K ~string, V any](m map[K]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	return keys
}
