package nlp

import "strings"

// findEmails returns the email addresses in s.
func findEmails(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		l := i
		for l > 0 && isEmailLocal(s[l-1]) {
			l--
		}
		r := i + 1
		for r < len(s) && (isAlnum(s[r]) || s[r] == '.' || s[r] == '-') {
			r++
		}
		for r > i+1 && s[r-1] == '.' {
			r--
		}
		dom := s[i+1 : r]
		dot := strings.LastIndexByte(dom, '.')
		if l < i && dot > 0 && len(dom)-dot > 2 {
			out = append(out, s[l:r])
		}
		i = r - 1
	}
	return out
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isEmailLocal(c byte) bool { return isAlnum(c) || strings.IndexByte("._%+-", c) >= 0 }

// findPhones returns phone numbers in s: 10 to 15 digits, or 7 written
// 555-0187, separated by spaces, dots, dashes or brackets, standing alone.
func findPhones(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '+' || c == '(') || (i > 0 && (isAlnum(s[i-1]) || s[i-1] == '-' || s[i-1] == '#')) {
			continue
		}
		j, digits, groups := i, 0, 0
		inGroup := false
		for j < len(s) {
			ch := s[j]
			if ch >= '0' && ch <= '9' {
				digits++
				if !inGroup {
					groups++
				}
				inGroup = true
			} else if strings.IndexByte(" .-()+", ch) >= 0 && (ch != ' ' || j+1 < len(s) && s[j+1] != ' ') {
				inGroup = false
			} else {
				break
			}
			j++
		}
		end := j
		for end > i && !(s[end-1] >= '0' && s[end-1] <= '9') {
			end--
		}
		if end < len(s) && isAlnum(s[end]) {
			i = j
			continue
		}
		num := s[i:end]
		ok := (digits >= 10 && digits <= 15 && (groups >= 2 || c == '+')) || (digits == 7 && len(num) == 8 && num[3] == '-')
		if ok && !looksLikeISODate(num) {
			out = append(out, num)
		}
		i = max(j-1, i)
	}
	return out
}

func looksLikeISODate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-'
}
