package nlp

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jdkato/prose/v2"
)

// nerModel is prose's named-entity model: a maximum-entropy classifier
// over features of each token (word, shape, part of speech, neighbours).
// prose scores it by building one "feature-value-label" string per
// feature and label for every token; here its weights are loaded once from
// prose's own embedded assets and indexed by "feature-value", so a token
// costs one map lookup per feature. Tokens and part-of-speech tags still
// come from prose, so the result is prose's (TestNERMatchesProse).
type nerModel struct {
	labels  []string
	weights map[string][]float64 // "feature-value" -> weight per label
	basic   set                  // prose's English word list ("en-wordlist")
}

// nerFeatures are prose's feature names, in its order.
var nerFeatures = []string{
	"bias", "en-wordlist", "nextpos", "nextword", "pos", "pos+prevtag",
	"prefix3", "prevpos", "prevtag", "prevword", "shape", "shape+prevtag",
	"suffix3", "word", "word+nextpos", "word.lower", "wordlen"}

func decodeAsset(name string, v any) error {
	b, err := prose.Asset(name)
	if err != nil {
		return err
	}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(v); err != nil {
		return fmt.Errorf("decode %s: %w", name, err)
	}
	return nil
}

// loadNER reads prose's maximum-entropy model and re-indexes it.
func loadNER() (*nerModel, error) {
	var (
		labels  []string
		mapping map[string]int
		weights []float64
		words   []string
	)
	for name, v := range map[string]any{"labels": &labels, "mapping": &mapping, "weights": &weights, "words": &words} {
		if err := decodeAsset("model/Maxent/"+name+".gob", v); err != nil {
			return nil, fmt.Errorf("load entity model: %w", err)
		}
	}
	m := &nerModel{labels: labels, weights: make(map[string][]float64, len(mapping)/len(labels)+1), basic: make(set, len(words))}
	for _, w := range words {
		m.basic[w] = struct{}{}
	}
	for key, idx := range mapping {
		li, cut := -1, 0
		for i, l := range labels {
			if strings.HasSuffix(key, "-"+l) && len(l) > cut {
				li, cut = i, len(l)
			}
		}
		if li < 0 || idx < 0 || idx >= len(weights) {
			continue
		}
		fv := key[:len(key)-cut-1]
		ws := m.weights[fv]
		if ws == nil {
			ws = make([]float64, len(labels))
			m.weights[fv] = ws
		}
		ws[li] += weights[idx]
	}
	return m, nil
}

// nerEntity is a named entity found by the model.
type nerEntity struct {
	Text, Label string
}

// entities labels prose's tagged tokens and chunks them into entities, as
// prose's extractor does.
func (m *nerModel) entities(toks []prose.Token) []nerEntity {
	labels := make([]string, len(toks))
	history := make([]string, 0, len(toks))
	scores := make([]float64, len(m.labels))
	key := make([]byte, 0, 64)
	for i := range toks {
		feats := m.features(i, toks, history)
		clear(scores)
		for k, name := range nerFeatures {
			key = append(append(append(key[:0], name...), '-'), feats[k]...)
			if ws, ok := m.weights[string(key)]; ok {
				for li, w := range ws {
					scores[li] += w
				}
			}
		}
		best, bestScore := 0, math.Inf(-1)
		for li, s := range scores {
			if s > bestScore {
				best, bestScore = li, s
			}
		}
		labels[i] = m.labels[best]
		history = append(history, simplePOS(labels[i]))
	}
	return chunkEntities(toks, labels)
}

// features are prose's features of token i, in nerFeatures order.
func (m *nerModel) features(i int, toks []prose.Token, history []string) []string {
	word := toks[i].Text
	lower := strings.ToLower(word)
	prevWord, prevPos, prevTag, prevShape := "None", "None", "None", "None"
	if i > 0 {
		prevWord, prevPos, prevTag = strings.ToLower(toks[i-1].Text), toks[i-1].Tag, history[i-1]
		if i > 1 {
			prevShape = wordShape(toks[i-1].Text)
		}
	}
	nextWord, nextPos := "None", "None"
	if i < len(toks)-1 {
		nextWord, nextPos = strings.ToLower(toks[i+1].Text), strings.ToLower(toks[i+1].Tag)
	}
	basic := "False"
	if m.basic.has(word) {
		basic = "True"
	}
	pos := toks[i].Tag
	return []string{
		"True", basic, nextPos, nextWord, pos, pos + "+" + prevTag,
		strings.ToLower(word[:min(len(word), 3)]), prevPos, prevTag, prevWord,
		wordShape(word), prevShape + "+" + prevTag,
		strings.ToLower(word[len(word)-min(len(word), 3):]), word, lower + "+" + nextPos,
		lower, strconv.Itoa(len(word)),
	}
}

// wordShape is prose's shape feature: number, punct, downcase, upcase,
// mixedcase or other, judged by the word's last character as prose's
// unanchored regular expressions do.
func wordShape(w string) string {
	if _, err := strconv.ParseFloat(w, 64); err == nil {
		return "number"
	}
	if w == "" {
		return "other"
	}
	r, _ := utf8.DecodeLastRuneInString(w)
	if !(r < utf8.RuneSelf && (r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')) {
		return "punct"
	}
	switch {
	case strings.ToLower(w) == w:
		return "downcase"
	case strings.Title(w) == w: //nolint:staticcheck // prose's feature is defined by strings.Title.
		return "upcase"
	}
	return "mixedcase"
}

func simplePOS(label string) string {
	if strings.HasPrefix(label, "V") {
		return "v"
	}
	p, _, _ := strings.Cut(label, "-")
	return p
}

// chunkEntities joins labelled tokens into entities, with prose's rules.
func chunkEntities(toks []prose.Token, labels []string) []nerEntity {
	var out []nerEntity
	var parts []int
	end := ""
	for i := range toks {
		label := labels[i]
		n := len(parts)
		if (label != "O" && label != end) ||
			(n > 0 && toks[i].Tag == toks[parts[n-1]].Tag) ||
			(n > 0 && toks[i].Tag == "CD" && labels[parts[n-1]] != "O") {
			end = strings.Replace(label, "B", "I", 1)
			parts = append(parts, i)
		} else if (label == "O" && end != "") || label == end {
			if label != "O" {
				parts = append(parts, i)
			}
			out = append(out, coalesceEntity(toks, labels, parts))
			end, parts = "", parts[:0]
		}
	}
	return out
}

func coalesceEntity(toks []prose.Token, labels []string, parts []int) nerEntity {
	words := make([]string, len(parts))
	hasBPerson := false
	for k, i := range parts {
		words[k] = toks[i].Text
		hasBPerson = hasBPerson || labels[i] == "B-PERSON"
	}
	label := ""
	if hasBPerson && len(parts) == 2 {
		label = "PERSON"
	} else if _, after, ok := strings.Cut(labels[parts[0]], "-"); ok {
		label = after
	}
	return nerEntity{Text: strings.Join(words, " "), Label: label}
}
