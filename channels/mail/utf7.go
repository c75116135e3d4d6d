package mail

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeUTF7 decodes UTF-7 (RFC 2152), which go-message's charset table
// lacks but old clients and some MTAs still send. clean is false if the
// input had to be repaired.
func decodeUTF7(b []byte) (s string, clean bool) {
	clean = true
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '+' {
			if c >= utf8.RuneSelf {
				clean = false
				sb.WriteRune(utf8.RuneError)
				continue
			}
			sb.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(b) && b64Value(b[j]) >= 0 {
			j++
		}
		if j == i+1 {
			// "+-" is a literal plus; a lone "+" is kept as is.
			sb.WriteByte('+')
			if j < len(b) && b[j] == '-' {
				i = j
			}
			continue
		}
		if !writeUTF16Run(&sb, b[i+1:j]) {
			clean = false
		}
		if j < len(b) && b[j] == '-' {
			j++
		}
		i = j - 1
	}
	return sb.String(), clean
}

// writeUTF16Run decodes one modified-base64 run of UTF-16BE units into sb.
func writeUTF16Run(sb *strings.Builder, run []byte) bool {
	var units []uint16
	var bits uint32
	var nbits uint
	for _, c := range run {
		bits = bits<<6 | uint32(b64Value(c))
		nbits += 6
		if nbits >= 16 {
			nbits -= 16
			units = append(units, uint16(bits>>nbits))
			bits &= 1<<nbits - 1
		}
	}
	for _, r := range utf16.Decode(units) {
		sb.WriteRune(r)
	}
	return bits == 0
}

// b64Value returns the value of a base64 digit, or -1.
func b64Value(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}
