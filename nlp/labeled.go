package nlp

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// LabeledItem is one message of the labeled set (testdata/nlp/v2), labeled
// under the definitions in shared/NLP-LABELS.md.
type LabeledItem struct {
	ID                   string    `yaml:"id"`
	Channel              Channel   `yaml:"channel"`
	Lang                 string    `yaml:"lang"`
	Date                 time.Time `yaml:"date"`
	Subject              string    `yaml:"subject"`
	Text                 string    `yaml:"text"`
	Staff                []string  `yaml:"staff"`
	StaffComplainedAbout []string  `yaml:"staff_complained_about"`
	Tone                 ToneLabel `yaml:"tone"`
	Urgency              Level     `yaml:"urgency"`
	Category             Category  `yaml:"category"`
	Reason               string    `yaml:"reason"`
}

// Input is the item as the gateway would hand it to Analyze: an email's
// text split into new text and quoted history as the mail parser splits
// it (SplitReply; a transcript is not split), its staff as the directory
// lists them (full names; first names match by themselves).
func (it LabeledItem) Input() Input {
	in := SplitReply(Input{Subject: it.Subject, Text: it.Text, Channel: it.Channel, Date: it.Date})
	for _, s := range it.Staff {
		in.Staff = append(in.Staff, StaffName{Name: s})
	}
	return in
}

// Check reports what is wrong with the item's fields, "" when nothing.
func (it LabeledItem) Check() string {
	var probs []string
	if it.ID == "" {
		probs = append(probs, "no id")
	}
	if it.Channel != ChannelEmail && it.Channel != ChannelVoicemail {
		probs = append(probs, fmt.Sprintf("channel %q", it.Channel))
	}
	if it.Lang == "" || it.Date.IsZero() || strings.TrimSpace(it.Text) == "" || it.Reason == "" {
		probs = append(probs, "lang, date, text or reason missing")
	}
	if !slices.Contains(toneClasses(), string(it.Tone)) {
		probs = append(probs, fmt.Sprintf("tone %q", it.Tone))
	}
	if !slices.Contains(urgencyClasses(), string(it.Urgency)) {
		probs = append(probs, fmt.Sprintf("urgency %q", it.Urgency))
	}
	if !slices.Contains(allCategories, it.Category) {
		probs = append(probs, fmt.Sprintf("category %q", it.Category))
	}
	for _, s := range it.StaffComplainedAbout {
		if !slices.Contains(it.Staff, s) {
			probs = append(probs, fmt.Sprintf("complained about %q, not in its staff", s))
		}
	}
	return strings.Join(probs, "; ")
}

// ReadLabeled reads every batch-*.yaml under dir in fsys (in lexical order
// of their paths), refusing unknown keys, ill-formed items and ids used
// twice.
func ReadLabeled(fsys fs.FS, dir string) ([]LabeledItem, error) {
	var files []string
	err := fs.WalkDir(fsys, dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && strings.HasPrefix(e.Name(), "batch-") && path.Ext(p) == ".yaml" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read labeled set %s: %w", dir, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("read labeled set %s: no batch-*.yaml files", dir)
	}
	slices.Sort(files)
	var out []LabeledItem
	ids := map[string]string{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("read labeled set: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		var list []LabeledItem
		if err := dec.Decode(&list); err != nil {
			return nil, fmt.Errorf("read labeled set %s: %w", f, err)
		}
		for _, it := range list {
			if p := it.Check(); p != "" {
				return nil, fmt.Errorf("read labeled set %s: item %s: %s", f, it.ID, p)
			}
			if prev, dup := ids[it.ID]; dup {
				return nil, fmt.Errorf("read labeled set %s: id %s already used in %s", f, it.ID, prev)
			}
			ids[it.ID] = f
		}
		out = append(out, list...)
	}
	return out, nil
}
