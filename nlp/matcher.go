package nlp

import (
	"errors"
	"fmt"
	"strings"
)

// maxExpansions bounds the word sequences one phrase may expand to.
const maxExpansions = 256

// anyWord is the wildcard slot: any one word.
const anyWord = "*"

// parsePhrase checks the syntax of a configured phrase and returns its
// slots: each a list of alternatives, "" meaning the slot may be skipped.
func parsePhrase(p string) ([][]string, error) {
	fields := strings.Fields(p)
	if len(fields) == 0 {
		return nil, errors.New("empty phrase")
	}
	slots := make([][]string, 0, len(fields))
	n, required := 1, 0
	for _, f := range fields {
		optional := strings.HasPrefix(f, "[") && strings.HasSuffix(f, "]")
		if optional {
			f = f[1 : len(f)-1]
		}
		if strings.ContainsAny(f, "[]") {
			return nil, fmt.Errorf("bad brackets in %q", p)
		}
		alts := strings.Split(f, "|")
		for _, a := range alts {
			if a == "" {
				return nil, fmt.Errorf("empty alternative in %q", p)
			}
			if a != anyWord && len(splitWords(a, lowerWord)) == 0 {
				return nil, fmt.Errorf("%q has no words in %q", a, p)
			}
		}
		if optional {
			alts = append(alts, "")
		} else {
			required++
		}
		n *= len(alts)
		if n > maxExpansions {
			return nil, fmt.Errorf("%q expands to more than %d phrases", p, maxExpansions)
		}
		slots = append(slots, alts)
	}
	if required == 0 {
		return nil, fmt.Errorf("every word of %q is optional", p)
	}
	if len(slots) == 1 && slots[0][0] == anyWord {
		return nil, fmt.Errorf("%q matches every word", p)
	}
	return slots, nil
}

// expandPhrase returns every word sequence a phrase stands for, with its
// words normalised.
func expandPhrase(p string, norm func(string) string) ([][]string, error) {
	slots, err := parsePhrase(p)
	if err != nil {
		return nil, err
	}
	out := [][]string{nil}
	for _, alts := range slots {
		var next [][]string
		for _, prefix := range out {
			for _, a := range alts {
				seq := append([]string(nil), prefix...)
				switch a {
				case "":
				case anyWord:
					seq = append(seq, anyWord)
				default:
					seq = append(seq, splitWords(a, norm)...)
				}
				next = append(next, seq)
			}
		}
		out = next
	}
	return out, nil
}

// section says which part of the analysis a phrase feeds.
type section uint8

const (
	secTone section = iota
	secUrgency
	secCategory
	secStaffCue
	secTrigger
	secSoftTrigger
	secFiller
	secFactKey
	secPastMarker
)

// payload is what a phrase stands for.
type payload struct {
	sec       section
	kind      string
	weight    float64
	phrase    string // as configured
	ignoreNeg bool
	lang      string // counts only in text of this language; "" always
}

// trieNode is one word of a phrase; hits are the payloads of phrases
// ending here.
type trieNode struct {
	next map[string]*trieNode
	any  *trieNode
	hits []int32
}

// matcher finds every configured phrase in one pass over the words.
type matcher struct {
	root     trieNode
	payloads []payload
	maxLen   int
}

// add inserts a phrase and its payload.
func (m *matcher) add(phrase string, p payload, norm func(string) string) error {
	seqs, err := expandPhrase(phrase, norm)
	if err != nil {
		return err
	}
	p.phrase = phrase
	id := int32(len(m.payloads))
	m.payloads = append(m.payloads, p)
	for _, seq := range seqs {
		n := &m.root
		for _, w := range seq {
			n = n.child(w)
		}
		n.hits = append(n.hits, id)
		m.maxLen = max(m.maxLen, len(seq))
	}
	return nil
}

func (n *trieNode) child(w string) *trieNode {
	if w == anyWord {
		if n.any == nil {
			n.any = &trieNode{}
		}
		return n.any
	}
	if n.next == nil {
		n.next = map[string]*trieNode{}
	}
	c := n.next[w]
	if c == nil {
		c = &trieNode{}
		n.next[w] = c
	}
	return c
}

// hit is one phrase found: payload id and the words [first, last] it
// covers, as indexes into the scanned slice.
type hit struct {
	id          int32
	first, last int
}

// scan appends to out every phrase found in words (normalised forms).
func (m *matcher) scan(words []string, out []hit) []hit {
	for i := range words {
		out = m.walk(&m.root, words, i, i, out)
	}
	return out
}

func (m *matcher) walk(n *trieNode, words []string, first, i int, out []hit) []hit {
	if i >= len(words) {
		return out
	}
	if c := n.next[words[i]]; c != nil {
		for _, id := range c.hits {
			out = append(out, hit{id: id, first: first, last: i})
		}
		out = m.walk(c, words, first, i+1, out)
	}
	if n.any != nil {
		for _, id := range n.any.hits {
			out = append(out, hit{id: id, first: first, last: i})
		}
		out = m.walk(n.any, words, first, i+1, out)
	}
	return out
}
