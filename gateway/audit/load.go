package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// Source is what the audit needs of the store: the audit rows of the cases
// opened in a period. store.Store satisfies it.
type Source interface {
	CaseAuditList(ctx context.Context, p store.CaseAuditParams) ([]store.CaseAudit, error)
}

// Load reads the period's rows from src and computes the report. It returns
// the rows too, for the case-level exports (WriteCasesCSV, WriteJSON). The
// period must be bounded on both sides and end after it starts
// (ErrEmptyPeriod), and p.By must be a known dimension (ErrUnknownDimension).
// Load reads no clock: p.Now is used as given.
func Load(ctx context.Context, src Source, p Params) (Report, []store.CaseAudit, error) {
	if src == nil {
		return Report{}, nil, errors.New("load audit: no source")
	}
	if p.From.IsZero() || p.To.IsZero() || !p.From.Before(p.To) {
		return Report{}, nil, fmt.Errorf("load audit from %q to %q: %w",
			stamp(p.From), stamp(p.To), ErrEmptyPeriod)
	}
	if !isKnown(p.By) {
		return Report{}, nil, fmt.Errorf("load audit by %q: %w", string(p.By), ErrUnknownDimension)
	}
	rows, err := src.CaseAuditList(ctx, store.CaseAuditParams{From: p.From, To: p.To})
	if err != nil {
		return Report{}, nil, fmt.Errorf("list case audit from %s to %s: %w",
			stamp(p.From), stamp(p.To), err)
	}
	return Compute(rows, p), rows, nil
}

// stamp formats a time for messages and exports: RFC 3339 in UTC, "" for
// the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
