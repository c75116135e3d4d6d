// Package fieldcheck owns the shape of a channel's config validation
// errors: every invalid field at once, each named and said what is wrong
// with it. The smtp and twilio packages embed Problems in their ConfigError,
// which adds the package's own message prefix and keeps the two errors
// distinct types for errors.As.
package fieldcheck

import "strings"

// Problem is one invalid field and what is wrong with it.
type Problem struct {
	Field   string
	Problem string
}

// Problems lists the invalid fields of a config, in the order found.
type Problems []Problem

// Add notes that field is invalid, and why.
func (p *Problems) Add(field, problem string) {
	*p = append(*p, Problem{Field: field, Problem: problem})
}

// Fields returns the names of the invalid fields, in the order found.
func (p Problems) Fields() []string {
	fields := make([]string, len(p))
	for i, pr := range p {
		fields[i] = pr.Field
	}
	return fields
}

// Join lists every problem as "Field: problem", separated by semicolons.
func (p Problems) Join() string {
	parts := make([]string, len(p))
	for i, pr := range p {
		parts[i] = pr.Field + ": " + pr.Problem
	}
	return strings.Join(parts, "; ")
}
