package nlp

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxExpansions bounds the word sequences one phrase may expand to.
const maxExpansions = 256

// anyWord is the wildcard slot: any one word.
const anyWord = "*"

// parsePhrase checks the syntax of a configured phrase and returns its
// slots: each a list of alternatives of one or more words separated by
// spaces, "" meaning the slot may be skipped.
//
// Slots are separated by spaces. A slot is a word, "*" for any one word,
// a group of alternatives in parentheses ("(has not|hasn't)"), or an
// optional group in brackets ("[has been|was]"); an alternative in a
// group may hold several words. A bare "a|b" is allowed only as the whole
// phrase: next to other words it would read as alternatives of several
// words and is refused. Groups do not nest.
func parsePhrase(p string) ([][]string, error) {
	var slots [][]string
	var bare string // a slot with a bare "|"
	n, required, i := 1, 0, 0
	for i < len(p) {
		r, size := utf8.DecodeRuneInString(p[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		var alts []string
		switch r {
		case '(', '[':
			end, err := groupEnd(p, i)
			if err != nil {
				return nil, err
			}
			if alts, err = groupAlts(p, p[i+1:end]); err != nil {
				return nil, err
			}
			group := p[i : end+1]
			i = end + 1
			if i < len(p) {
				if next, _ := utf8.DecodeRuneInString(p[i:]); !unicode.IsSpace(next) {
					return nil, fmt.Errorf("%q: put a space after %q", p, group)
				}
			}
			if r == '[' {
				alts = append(alts, "")
			}
		case ')', ']':
			return nil, fmt.Errorf("%q: %q closes no group", p, string(r))
		default:
			end := i
			for end < len(p) {
				c, size := utf8.DecodeRuneInString(p[end:])
				if unicode.IsSpace(c) {
					break
				}
				switch c {
				case '(', '[':
					return nil, fmt.Errorf("%q: put a space before %q", p, string(c))
				case ')', ']':
					return nil, fmt.Errorf("%q: %q closes no group", p, string(c))
				}
				end += size
			}
			word := p[i:end]
			i = end
			alts = strings.Split(word, "|")
			for _, a := range alts {
				if a == "" {
					return nil, fmt.Errorf("%q: empty alternative in %q", p, word)
				}
				if err := checkWord(p, a); err != nil {
					return nil, err
				}
			}
			if len(alts) > 1 && bare == "" {
				bare = word
			}
		}
		if alts[len(alts)-1] != "" {
			required++
		}
		n = min(n*len(alts), maxExpansions+1) // the limit is checked below
		slots = append(slots, alts)
	}
	switch {
	case len(slots) == 0:
		return nil, errors.New("empty phrase")
	case bare != "" && len(slots) > 1:
		return nil, fmt.Errorf("%q: a bare | (in %q) is ambiguous beside other words: write (a|b) for alternatives of one word, and use (a b|c) for alternatives of several words", p, bare)
	case n > maxExpansions:
		return nil, fmt.Errorf("%q expands to more than %d phrases", p, maxExpansions)
	case required == 0:
		return nil, fmt.Errorf("every word of %q is optional", p)
	case matchesAny(slots):
		return nil, fmt.Errorf("%q matches any word", p)
	}
	return slots, nil
}

// groupEnd returns the index of the bracket closing the group opened at
// p[start], refusing nested and unclosed groups.
func groupEnd(p string, start int) (int, error) {
	open := p[start]
	want := byte(')')
	if open == '[' {
		want = ']'
	}
	for j := start + 1; j < len(p); j++ {
		switch c := p[j]; c {
		case want:
			return j, nil
		case '(', '[':
			return 0, fmt.Errorf("%q: groups do not nest (%q inside %q)", p, string(c), string(open))
		case ')', ']':
			return 0, fmt.Errorf("%q: %q closed by %q", p, string(open), string(c))
		}
	}
	return 0, fmt.Errorf("%q: %q is not closed", p, string(open))
}

// groupAlts splits the inside of a group into its alternatives, each
// with its words separated by single spaces.
func groupAlts(p, body string) ([]string, error) {
	if strings.TrimSpace(body) == "" {
		return nil, fmt.Errorf("%q: empty group", p)
	}
	alts := strings.Split(body, "|")
	for k, a := range alts {
		words := strings.Fields(a)
		if len(words) == 0 {
			return nil, fmt.Errorf("%q: empty alternative in group %q", p, body)
		}
		for _, w := range words {
			if err := checkWord(p, w); err != nil {
				return nil, err
			}
		}
		alts[k] = strings.Join(words, " ")
	}
	return alts, nil
}

// checkWord refuses a word of a phrase that holds no word to match.
func checkWord(p, w string) error {
	if w != anyWord && len(splitWords(w, lowerWord)) == 0 {
		return fmt.Errorf("%q has no words in %q", w, p)
	}
	return nil
}

// matchesAny reports whether some expansion of the slots is wildcards
// only, and would match any word: true when every slot may be skipped or
// be a wildcard.
func matchesAny(slots [][]string) bool {
	for _, alts := range slots {
		wild := false
		for _, a := range alts {
			if a == "" || onlyWildcards(a) {
				wild = true
				break
			}
		}
		if !wild {
			return false
		}
	}
	return true
}

// onlyWildcards reports whether every word of an alternative is "*".
func onlyWildcards(alt string) bool {
	for _, w := range strings.Fields(alt) {
		if w != anyWord {
			return false
		}
	}
	return true
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
		next := make([][]string, 0, len(out)*len(alts))
		for _, prefix := range out {
			for _, a := range alts {
				seq := append([]string(nil), prefix...)
				for _, w := range strings.Fields(a) {
					if w == anyWord {
						seq = append(seq, anyWord)
					} else {
						seq = append(seq, splitWords(w, norm)...)
					}
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
		// Alternatives that normalise alike ("(cant|can't)") end at the
		// same node: the phrase is found there once.
		if k := len(n.hits); k == 0 || n.hits[k-1] != id {
			n.hits = append(n.hits, id)
		}
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
