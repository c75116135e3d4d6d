package audit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// sourceFunc adapts a function to Source.
type sourceFunc func(ctx context.Context, p store.CaseAuditParams) ([]store.CaseAudit, error)

func (f sourceFunc) CaseAuditList(ctx context.Context, p store.CaseAuditParams) ([]store.CaseAudit, error) {
	return f(ctx, p)
}

// Source is what store.Store offers.
var _ Source = store.Store(nil)

func TestLoad(t *testing.T) {
	t.Parallel()
	var asked store.CaseAuditParams
	src := sourceFunc(func(_ context.Context, p store.CaseAuditParams) ([]store.CaseAudit, error) {
		asked = p
		return fixtureRows(), nil
	})
	p := fixtureParams(ByTeam)
	rep, rows, err := Load(t.Context(), src, p)
	if err != nil {
		t.Fatalf("Load() = %v, want nil", err)
	}
	if !asked.From.Equal(p.From) || !asked.To.Equal(p.To) {
		t.Errorf("CaseAuditList asked for %v–%v, want %v–%v", asked.From, asked.To, p.From, p.To)
	}
	if len(rows) != 11 || rep.Total.Cases != 9 || len(rep.Groups) != 4 {
		t.Errorf("Load() gave %d rows, %d cases in %d groups, want 11, 9, 4", len(rows), rep.Total.Cases, len(rep.Groups))
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	errDown := errors.New("database is down")
	down := sourceFunc(func(context.Context, store.CaseAuditParams) ([]store.CaseAudit, error) {
		return nil, errDown
	})
	unused := sourceFunc(func(context.Context, store.CaseAuditParams) ([]store.CaseAudit, error) {
		t.Error("CaseAuditList called for invalid params")
		return nil, nil
	})
	good := fixtureParams(ByOwner)
	backwards := good
	backwards.From, backwards.To = good.To, good.From
	noTo := good
	noTo.To = time.Time{}
	badBy := good
	badBy.By = "customer"
	for _, tc := range []struct {
		name string
		src  Source
		p    Params
		want error
	}{
		{"store fails", down, good, errDown},
		{"period backwards", unused, backwards, ErrEmptyPeriod},
		{"no period", unused, Params{}, ErrEmptyPeriod},
		{"open end", unused, noTo, ErrEmptyPeriod},
		{"unknown dimension", unused, badBy, ErrUnknownDimension},
	} {
		if _, _, err := Load(t.Context(), tc.src, tc.p); !errors.Is(err, tc.want) {
			t.Errorf("%s: Load() = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, _, err := Load(t.Context(), nil, good); err == nil {
		t.Error("Load(nil source) = nil, want an error")
	}
}
