package mail

import (
	"io"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"

	"github.com/triage-gw/triage/nlp/reply"
)

// htmlToText renders HTML as readable plain text: paragraphs and line
// breaks become newlines, list items get bullets, blockquotes become
// "> " quoted lines (so quote stripping works on HTML mail too), links keep
// their text, scripts and styles are dropped and entities are decoded.
func htmlToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	w := &textWriter{}
	skip := 0 // depth inside elements whose content is not text
	var skipTag string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				w.text(string(z.Raw()))
			}
			return reply.TidyText(w.sb.String())
		case html.TextToken:
			if skip == 0 {
				w.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if skip > 0 {
				if tag == skipTag && tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if isSkippedTag(tag) && tt == html.StartTagToken {
				skip, skipTag = 1, tag
				continue
			}
			class := ""
			if hasAttr && tag == "p" {
				class = attr(z, "class")
			}
			w.start(tag, class)
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if skip > 0 {
				if tag == skipTag {
					skip--
				}
				continue
			}
			w.end(tag)
		}
	}
}

// maxNesting caps the quote prefixes and list indents written, so deeply
// nested HTML cannot blow up the text.
const maxNesting = 8

// isSkippedTag reports whether an element holds no readable text.
func isSkippedTag(tag string) bool {
	switch tag {
	case "script", "style", "title", "noscript", "template", "svg", "object", "iframe":
		return true
	}
	return false
}

// isLineTag reports whether an element starts and ends on its own line.
func isLineTag(tag string) bool {
	switch tag {
	case "div", "tr", "dt", "dd", "address", "section", "article", "header", "footer",
		"center", "form", "fieldset", "table", "caption", "figure", "main", "nav", "aside",
		"ul", "ol", "dl":
		return true
	}
	return false
}

// isParagraphTag reports whether an element is set apart by a blank line.
func isParagraphTag(tag string) bool {
	switch tag {
	case "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr":
		return true
	}
	return false
}

func attr(z *html.Tokenizer, key string) string {
	for {
		k, v, more := z.TagAttr()
		if string(k) == key {
			return string(v)
		}
		if !more {
			return ""
		}
	}
}

// textWriter accumulates rendered text, tracking pending line breaks,
// collapsed whitespace, blockquote depth and list numbering.
type textWriter struct {
	sb      strings.Builder
	newline int  // line breaks owed before the next text (at most 2)
	space   bool // a space is owed before the next text
	quote   int  // blockquote depth
	// lineQuote is the blockquote depth of the line being written.
	lineQuote int
	pre       int // inside <pre>
	lists     []int
	bullet    string // list marker owed before the next text
	cell      bool   // a table cell already on this row
}

func (w *textWriter) start(tag, class string) {
	switch {
	case tag == "br":
		w.newline = min(w.newline+1, 2)
		w.space = false
	case tag == "blockquote":
		w.breakLine(1)
		w.quote++
	case tag == "li":
		w.breakLine(1)
		indent := strings.Repeat("  ", min(max(len(w.lists)-1, 0), maxNesting))
		w.bullet = indent + "- "
		if n := len(w.lists); n > 0 && w.lists[n-1] > 0 {
			w.bullet = indent + strconv.Itoa(w.lists[n-1]) + ". "
			w.lists[n-1]++
		}
	case tag == "ul":
		w.breakLine(1)
		w.lists = append(w.lists, 0)
	case tag == "ol":
		w.breakLine(1)
		w.lists = append(w.lists, 1)
	case tag == "td" || tag == "th":
		if w.cell {
			w.space = true
		}
		w.cell = true
	case tag == "pre":
		w.breakLine(2)
		w.pre++
	case tag == "p" && strings.Contains(class, "MsoNormal"):
		w.breakLine(1) // Outlook writes every line as a paragraph
	case isParagraphTag(tag):
		w.breakLine(2)
	case isLineTag(tag):
		w.breakLine(1)
	}
	if tag == "tr" {
		w.cell = false
	}
}

func (w *textWriter) end(tag string) {
	switch {
	case tag == "blockquote":
		w.quote = max(w.quote-1, 0)
		w.breakLine(1)
	case tag == "ul" || tag == "ol":
		if len(w.lists) > 0 {
			w.lists = w.lists[:len(w.lists)-1]
		}
		w.breakLine(1)
	case tag == "li":
		w.breakLine(1)
	case tag == "pre":
		w.pre = max(w.pre-1, 0)
		w.breakLine(2)
	case tag == "p":
		w.breakLine(1)
	case isParagraphTag(tag):
		w.breakLine(2)
	case isLineTag(tag):
		w.breakLine(1)
	}
}

// breakLine asks for n line breaks before the next text.
func (w *textWriter) breakLine(n int) {
	if w.sb.Len() > 0 {
		w.newline = max(w.newline, n)
	}
	w.space = false
}

func (w *textWriter) text(s string) {
	s = textReplacer.Replace(s)
	if w.pre > 0 {
		for i, line := range strings.Split(s, "\n") {
			if i > 0 {
				w.newline = min(w.newline+1, 2)
			}
			if line != "" {
				w.word(line)
			}
		}
		return
	}
	if s == "" {
		return
	}
	if isHTMLSpace(rune(s[0])) {
		w.space = true
	}
	for i, word := range strings.FieldsFunc(s, isHTMLSpace) {
		if i > 0 {
			w.space = true
		}
		w.word(word)
	}
	if isHTMLSpace(rune(s[len(s)-1])) {
		w.space = true
	}
}

// word writes s after the owed line breaks (with the quote prefix and list
// marker of a new line) or the owed space.
func (w *textWriter) word(s string) {
	if w.newline > 0 || w.sb.Len() == 0 {
		for i := range w.newline {
			if i > 0 {
				// A blank line inside a quote stays part of it.
				w.sb.WriteString(strings.Repeat(">", min(w.lineQuote, w.quote, maxNesting)))
			}
			w.sb.WriteByte('\n')
		}
		w.newline = 0
		w.lineQuote = w.quote
		w.sb.WriteString(strings.Repeat("> ", min(w.quote, maxNesting)))
		w.sb.WriteString(w.bullet)
		w.bullet = ""
	} else if w.space {
		w.sb.WriteByte(' ')
	}
	w.space = false
	w.sb.WriteString(s)
}

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f'
}

// textReplacer maps no-break spaces to spaces and drops invisible
// characters that HTML mail is full of.
var textReplacer = strings.NewReplacer("\u00a0", " ", "\u200b", "", "\ufeff", "", "\u00ad", "", "\u200c", "")

var metaCharsetRE = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?([a-z0-9_:.-]+)`)

// metaCharset returns the charset an HTML document declares in a <meta>
// tag, for HTML parts whose Content-Type has none.
func metaCharset(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	if m := metaCharsetRE.FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}
