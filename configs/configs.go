// Package configs embeds the gateway's default configuration files: the
// annotated example configuration, the playbooks per kind of problem
// (POLICY P6) and, in nlp.go, the analyser's lexicons and weights.
package configs

import (
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Example is configs/gateway.example.yaml, every key documented.
//
//go:embed gateway.example.yaml
var Example []byte

//go:embed playbooks.yaml
var playbooks []byte

// Playbook is what the caller-back gathers and does for one category.
type Playbook struct {
	Gather []string `yaml:"gather"`
	Steps  []string `yaml:"steps"`
}

// Checklist is the playbook as one list: facts to confirm, then steps.
func (p Playbook) Checklist() []string {
	out := make([]string, 0, len(p.Gather)+len(p.Steps))
	for _, g := range p.Gather {
		out = append(out, "Confirm: "+g)
	}
	return append(out, p.Steps...)
}

// ParsePlaybooks reads playbooks keyed by category name.
func ParsePlaybooks(b []byte) (map[string]Playbook, error) {
	var m map[string]Playbook
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse playbooks: %w", err)
	}
	for k, p := range m {
		if len(p.Gather)+len(p.Steps) == 0 {
			return nil, fmt.Errorf("playbook %q: empty (give gather and steps)", k)
		}
	}
	return m, nil
}

// DefaultPlaybooks returns the embedded playbooks.
func DefaultPlaybooks() (map[string]Playbook, error) { return ParsePlaybooks(playbooks) }
