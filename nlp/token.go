package nlp

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// field says which input string a token or sentence comes from.
type field uint8

const (
	fieldText    field = iota // Input.Text
	fieldSubject              // Input.Subject
	fieldQuoted               // Input.Quoted
)

// String names the field as Evidence.Field does.
func (f field) String() string {
	switch f {
	case fieldSubject:
		return "subject"
	case fieldQuoted:
		return "quoted"
	}
	return "text"
}

// region is the part of a message a sentence sits in.
type region uint8

const (
	regionBody      region = iota // what the sender wrote now
	regionSignature               // sign-off, name, title, phone
	regionQuoted                  // quoted history: Input.Quoted, and a reply's subject
	regionForwarded               // a forwarded message: what the business is being told
)

// token is one word or punctuation mark, with its place in the input.
type token struct {
	start, end int    // byte offsets in the field's string
	norm       string // normalised lowercase form (words) or the mark itself
	word       bool   // letters or digits, not punctuation
	upper      bool   // two or more letters, all capitals
	title      bool   // first letter is a capital
	digit      bool   // holds a digit
	sent       int32  // sentence index
}

// isWordRune reports whether r can be part of a word.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// punctMarks are the punctuation marks kept as tokens; others are skipped.
const punctMarks = ".,;:$€£¥#%&"

// tokenize appends the tokens of s[start:end] to toks, offsets relative to
// s, using norm to normalise words.
func tokenize(toks []token, s string, start, end int, sent int32, norm func(string) string) []token {
	i := start
	for i < end {
		r, size := utf8.DecodeRuneInString(s[i:end])
		switch {
		case isWordRune(r):
			j := wordEnd(s, i, end)
			toks = append(toks, newWordToken(s, i, j, sent, norm))
			i = j
		case r == '!' || r == '?':
			j := i
			for j < end && (s[j] == '!' || s[j] == '?') {
				j++
			}
			toks = append(toks, token{start: i, end: j, norm: s[i:j], sent: sent})
			i = j
		case strings.ContainsRune(punctMarks, r):
			toks = append(toks, token{start: i, end: i + size, norm: s[i : i+size], sent: sent})
			i += size
		default:
			i += size
		}
	}
	return toks
}

// wordEnd returns the end of the word starting at i: letters and digits,
// joined by an apostrophe before a letter, a hyphen, slash or underscore
// between word characters, or a dot, comma or colon between digits.
func wordEnd(s string, i, end int) int {
	j := i
	prevDigit := false
	for j < end {
		r, size := utf8.DecodeRuneInString(s[j:end])
		if isWordRune(r) {
			prevDigit = unicode.IsDigit(r)
			j += size
			continue
		}
		if j+size >= end {
			break
		}
		next, _ := utf8.DecodeRuneInString(s[j+size : end])
		joined := false
		switch r {
		case '\'', '’':
			joined = unicode.IsLetter(next)
		case '-', '/', '_':
			joined = isWordRune(next)
		case '.', ',', ':':
			joined = prevDigit && unicode.IsDigit(next)
		}
		if !joined {
			break
		}
		j += size
	}
	return j
}

func newWordToken(s string, i, j int, sent int32, norm func(string) string) token {
	w := s[i:j]
	t := token{start: i, end: j, word: true, sent: sent}
	letters, uppers := 0, 0
	for k, r := range w {
		switch {
		case unicode.IsDigit(r):
			t.digit = true
		case unicode.IsUpper(r):
			letters++
			uppers++
			if k == 0 {
				t.title = true
			}
		case unicode.IsLetter(r):
			letters++
		}
	}
	t.upper = letters >= 2 && uppers == letters
	t.norm = norm(w)
	return t
}

// lowerWord lowercases w and straightens its apostrophes, allocating only
// when it must.
func lowerWord(w string) string {
	clean := true
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') {
			clean = false
			break
		}
	}
	if clean {
		return w
	}
	return strings.ReplaceAll(strings.ToLower(w), "’", "'")
}

// splitWords normalises the words of a phrase written in configuration.
func splitWords(s string, norm func(string) string) []string {
	var out []string
	toks := tokenize(nil, s, 0, len(s), 0, norm)
	for _, t := range toks {
		if t.word {
			out = append(out, t.norm)
		}
	}
	return out
}
