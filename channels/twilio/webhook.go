package twilio

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// WebhookError lists every problem found in a webhook's form, so that a
// handler can refuse the request naming all of them at once.
type WebhookError struct {
	// Kind names the webhook, such as "inbound sms".
	Kind string
	// Missing lists required parameters that are absent or empty.
	Missing []string
	// Invalid lists parameters present but malformed, as "Name: reason".
	Invalid []string
}

// Error names the webhook and lists the missing and invalid parameters.
func (e *WebhookError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "missing "+strings.Join(e.Missing, ", "))
	}
	if len(e.Invalid) > 0 {
		parts = append(parts, "invalid "+strings.Join(e.Invalid, ", "))
	}
	return "parse " + e.Kind + " webhook: " + strings.Join(parts, "; ")
}

// formReader reads parameters from a webhook form, noting what is missing
// or malformed instead of stopping at the first problem.
type formReader struct {
	form url.Values
	err  WebhookError
}

func newFormReader(kind string, form url.Values) *formReader {
	return &formReader{form: form, err: WebhookError{Kind: kind}}
}

// optional returns the parameter's first value, "" if absent.
func (r *formReader) optional(name string) string {
	return r.form.Get(name)
}

// required returns the parameter's first value and notes it if empty.
func (r *formReader) required(name string) string {
	v := r.form.Get(name)
	if v == "" {
		r.err.Missing = append(r.err.Missing, name)
	}
	return v
}

// sid returns a SID parameter with the given prefix, noting it if missing
// (when required) or malformed.
func (r *formReader) sid(name string, required bool, prefixes ...string) string {
	v := r.form.Get(name)
	if v == "" {
		if required {
			r.err.Missing = append(r.err.Missing, name)
		}
		return ""
	}
	for _, p := range prefixes {
		if validSID(v, p) {
			return v
		}
	}
	r.invalid(name, "not a "+strings.Join(prefixes, " or ")+" sid")
	return ""
}

// oneOf returns a parameter that must be one of values, noting it if
// missing (when required) or not one of them.
func (r *formReader) oneOf(name string, required bool, values ...string) string {
	v := r.form.Get(name)
	if v == "" {
		if required {
			r.err.Missing = append(r.err.Missing, name)
		}
		return ""
	}
	if !slices.Contains(values, v) {
		r.invalid(name, "not one of "+strings.Join(values, ", "))
		return ""
	}
	return v
}

// count returns a non-negative integer parameter, 0 if absent.
func (r *formReader) count(name string) int {
	v := r.form.Get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		r.invalid(name, "not a whole number")
		return 0
	}
	return n
}

// url returns an absolute http(s) URL parameter, noting it if missing (when
// required) or malformed.
func (r *formReader) url(name string, required bool) string {
	v := r.form.Get(name)
	if v == "" {
		if required {
			r.err.Missing = append(r.err.Missing, name)
		}
		return ""
	}
	if !absoluteHTTPURL(v) {
		r.invalid(name, "not an absolute http(s) URL")
		return ""
	}
	return v
}

func (r *formReader) invalid(name, reason string) {
	r.err.Invalid = append(r.err.Invalid, name+": "+reason)
}

// done returns the problems found, or nil.
func (r *formReader) done() error {
	if len(r.err.Missing) == 0 && len(r.err.Invalid) == 0 {
		return nil
	}
	err := r.err
	return &err
}
