package mail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/charmap"
)

// decodeTransfer undoes a part's Content-Transfer-Encoding (RFC 2045
// section 6) where go-message could not: misspelt encoding names, and
// broken base64 and quoted-printable, which keep what decodes.
func decodeTransfer(enc string, b []byte, warn func(string)) []byte {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(enc), `"`)) {
	case "", "7bit", "8bit", "binary", "7-bit", "8-bit":
		return b
	case "base64":
		out, clean := decodeBase64(b)
		if !clean {
			warn("malformed base64 body: kept what decoded")
		}
		return out
	case "quoted-printable":
		out, clean := decodeQP(b)
		if !clean {
			warn("malformed quoted-printable body: kept what decoded")
		}
		return out
	default:
		warn(fmt.Sprintf("unknown Content-Transfer-Encoding %q: body used as is", clip(enc, 40)))
		return b
	}
}

// decodeBase64 decodes base64 leniently: line breaks and other whitespace
// are ignored, padding may be missing or appear mid-stream (concatenated
// encodings), and stray characters are dropped. clean is false if anything
// had to be dropped.
func decodeBase64(b []byte) (out []byte, clean bool) {
	clean = true
	out = make([]byte, 0, len(b)*3/4)
	seg := make([]byte, 0, 1024)
	flush := func() {
		if len(seg)%4 == 1 {
			seg = seg[:len(seg)-1]
			clean = false
		}
		n := base64.RawStdEncoding.DecodedLen(len(seg))
		start := len(out)
		out = append(out, make([]byte, n)...)
		m, err := base64.RawStdEncoding.Decode(out[start:], seg)
		if err != nil {
			clean = false
		}
		out = out[:start+m]
		seg = seg[:0]
	}
	for _, c := range b {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
			seg = append(seg, c)
		case c == '=':
			if len(seg) > 0 {
				flush()
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			clean = false
		}
	}
	flush()
	return out, clean
}

// decodeQP decodes quoted-printable (RFC 2045 section 6.7) leniently: a bad
// escape is kept literally, trailing whitespace on lines is dropped and
// soft line breaks may have trailing whitespace.
func decodeQP(b []byte) (out []byte, clean bool) {
	clean = true
	out = make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '=':
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			if j == len(b) || b[j] == '\n' {
				i = j // soft line break
				continue
			}
			if i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]) {
				out = append(out, unhex(b[i+1])<<4|unhex(b[i+2]))
				i += 2
				continue
			}
			clean = false
			out = append(out, c)
		case ' ', '\t':
			j := i
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			if j == len(b) || b[j] == '\n' {
				i = j - 1 // drop trailing whitespace
				continue
			}
			out = append(out, b[i:j]...)
			i = j - 1
		default:
			out = append(out, c)
		}
	}
	return out, clean
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// decodeCharset converts b from the charset named by label to UTF-8 where
// go-message does not: it checks text declared UTF-8 or US-ASCII (which
// go-message passes through), decodes UTF-7, which go-message's charset
// table lacks, and never fails: an unknown charset is read as UTF-8 when the
// bytes are valid UTF-8 and as Latin-1 (Windows-1252) otherwise, with a
// warning. Known charsets are converted by go-message's charset package.
func decodeCharset(label string, b []byte, warn func(string)) string {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	switch label {
	case "", "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "646":
		if utf8.Valid(b) {
			return string(b)
		}
		if label == "" {
			warn("undeclared 8-bit text decoded as Latin-1")
		} else {
			warn(fmt.Sprintf("8-bit text declared %q decoded as Latin-1", label))
		}
		return latin1(b)
	case "utf-8", "utf8", "unicode-1-1-utf-8", "x-utf8":
		if utf8.Valid(b) {
			return string(b)
		}
		if !hasMultibyte(b) {
			warn("invalid UTF-8 text decoded as Latin-1")
			return latin1(b)
		}
		warn("invalid UTF-8 sequences replaced")
		return strings.ToValidUTF8(string(b), "\uFFFD")
	case "utf-7", "unicode-1-1-utf-7", "x-unicode-2-0-utf-7", "csunicode11utf7":
		if !isASCII(b) && utf8.Valid(b) {
			warn(fmt.Sprintf("8-bit text declared %q decoded as UTF-8", label))
			return string(b)
		}
		s, clean := decodeUTF7(b)
		if !clean {
			warn("malformed UTF-7 text: kept what decoded")
		}
		return s
	}
	if strings.HasPrefix(label, "iso-2022-") && !isASCII(b) && utf8.Valid(b) {
		// A 7-bit charset cannot hold 8-bit bytes: the label is stale.
		warn(fmt.Sprintf("8-bit text declared %q decoded as UTF-8", clip(label, 40)))
		return string(b)
	}
	r, err := charset.Reader(label, bytes.NewReader(b))
	if err == nil {
		out, rerr := io.ReadAll(r)
		if rerr == nil {
			return strings.ToValidUTF8(string(out), "\uFFFD")
		}
		warn(fmt.Sprintf("decode charset %q: %v: kept what decoded", clip(label, 40), rerr))
		return strings.ToValidUTF8(string(out), "\uFFFD")
	}
	if utf8.Valid(b) {
		warn(fmt.Sprintf("unknown charset %q decoded as UTF-8", clip(label, 40)))
		return string(b)
	}
	warn(fmt.Sprintf("unknown charset %q decoded as Latin-1", clip(label, 40)))
	return latin1(b)
}

// latin1 decodes b as Windows-1252, the superset of ISO 8859-1 that
// mislabelled Western mail actually uses.
func latin1(b []byte) string {
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// hasMultibyte reports whether b holds at least one valid multi-byte UTF-8
// sequence, a hint that invalid bytes are damage rather than another charset.
func hasMultibyte(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r != utf8.RuneError && size > 1 {
			return true
		}
		b = b[size:]
	}
	return false
}

// clip shortens s to at most n bytes for use in warnings, on a rune boundary.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
