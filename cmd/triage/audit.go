package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/triage-gw/triage/gateway/audit"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
)

const auditUsage = `usage: triage audit [flags]

Prints the response-time audit of the cases opened in a period (POLICY.md,
"What managers audit"): time from receipt to the first SMS to the owner, the
first call attempt, the first live conversation and resolution (median, p90,
max), the share within target (dashboard.targets; the first call's target
is each case's due time), SLA breaches, escalations, policy violations,
repeat contacts and follow-ups; in total or per owner, team, channel,
priority or category.

The period is [from, to): a DATE (YYYY-MM-DD) is a whole day in UTC, and
-to's day is included, so -from 2026-03-01 -to 2026-03-31 covers March from
00:00 UTC on the 1st to 00:00 UTC on April 1st. An RFC 3339 time
(2026-03-01T09:00:00+01:00) is that instant, and -to's is excluded. With
neither, the period is the last 28 days, today (UTC) included; with one,
it is the 28 days after -from or before -to.

-by team groups each owner under their manager's name; an owner with no
manager is a team of their own.

flags (-flag and --flag both work):
`

// auditDays is the default period's length.
const auditDays = 28

// auditCmd runs `triage audit`.
func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, auditUsage)
		fs.PrintDefaults()
	}
	path := fs.String("config", "", "configuration file (YAML); none: defaults")
	from := fs.String("from", "", "first day (YYYY-MM-DD, UTC) or instant (RFC 3339) of the period")
	to := fs.String("to", "", "last day of the period, included (YYYY-MM-DD, UTC), or the instant it ends (RFC 3339)")
	by := fs.String("by", "", "group by owner, team, channel, priority or category (default: the total only)")
	format := fs.String("format", "table", "table, csv or json")
	cases := fs.Bool("cases", false, "print one row per case instead of the groups (csv, the default with -cases, or json)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("audit: unexpected arguments %q", fs.Args())
	}
	formatSet := false
	fs.Visit(func(f *flag.Flag) { formatSet = formatSet || f.Name == "format" })
	if *cases && !formatSet {
		*format = "csv"
	}
	switch *format {
	case "table", "csv", "json":
	default:
		return fmt.Errorf("audit: -format %q: want table, csv or json", *format)
	}
	if *cases && *format == "table" {
		return errors.New("audit: -cases prints CSV or JSON: give -format csv or -format json")
	}
	dim, err := audit.ParseDimension(*by)
	if err != nil {
		return fmt.Errorf("audit: -by: %w", err)
	}
	now := time.Now().UTC()
	start, end, err := auditPeriod(*from, *to, now)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	st, err := openCLIStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	people, err := auditPeople(ctx, st)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	p := audit.Params{From: start, To: end, By: dim, Now: now, Targets: auditTargets(cfg), People: people}
	report, rows, err := audit.Load(ctx, st, p)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	switch {
	case *format == "json" && *cases:
		return audit.WriteJSON(stdout, report, rows)
	case *format == "json":
		return audit.WriteJSON(stdout, report, nil)
	case *cases:
		return audit.WriteCasesCSV(stdout, rows, p)
	case *format == "csv":
		return audit.WriteCSV(stdout, report)
	default:
		return audit.WriteTable(stdout, report)
	}
}

// auditPeriod reads -from and -to into the period [start, end).
func auditPeriod(from, to string, now time.Time) (start, end time.Time, err error) {
	if to != "" {
		if end, err = auditTime(to, true); err != nil {
			return start, end, fmt.Errorf("-to: %w", err)
		}
	}
	if from != "" {
		if start, err = auditTime(from, false); err != nil {
			return start, end, fmt.Errorf("-from: %w", err)
		}
	}
	switch {
	case start.IsZero() && end.IsZero():
		end = startOfDay(now).AddDate(0, 0, 1)
		start = end.AddDate(0, 0, -auditDays)
	case start.IsZero():
		start = end.AddDate(0, 0, -auditDays)
	case end.IsZero():
		end = start.AddDate(0, 0, auditDays)
	}
	if !start.Before(end) {
		return start, end, fmt.Errorf("the period from %s to %s is empty: -to must come after -from",
			start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	return start, end, nil
}

// auditTime reads a DATE (its 00:00 UTC, or the next day's when it ends a
// period, so that the day is included) or an RFC 3339 instant.
func auditTime(s string, end bool) (time.Time, error) {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a date (YYYY-MM-DD) nor an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// auditTargets are the configured targets (dashboard.targets).
func auditTargets(cfg config.Config) audit.Targets {
	t := cfg.Dashboard.Targets
	return audit.Targets{Notify: t.Notify, Conversation: t.Conversation, Resolution: t.Resolution}
}

// auditPeople names the staff and their teams: a team is named after the
// manager, and someone with no manager is their own team.
func auditPeople(ctx context.Context, q store.Querier) (audit.People, error) {
	staff, err := q.StaffList(ctx)
	if err != nil {
		return audit.People{}, err
	}
	p := audit.People{Names: make(map[int64]string, len(staff)), Teams: make(map[int64]string, len(staff))}
	for _, s := range staff {
		p.Names[s.ID] = s.Name
	}
	for _, s := range staff {
		team, ok := p.Names[s.ManagerID]
		if s.ManagerID == 0 || !ok {
			team = s.Name
		}
		p.Teams[s.ID] = team
	}
	return p, nil
}
