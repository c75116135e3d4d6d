package audit

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the report as aligned plain text for a terminal or an
// email: the period and targets, then per group (and in total) the time to
// each milestone (median / p90 / max), the share of targets met, breaches
// and follow-through, then the weekly trend and the time-to-first-call
// distribution. Durations read like 14m, 3h05m or 2d4h, percentages carry
// one decimal, and "—" stands for none.
func WriteTable(w io.Writer, r Report) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	line := func(cells ...string) {
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	rows := append(append([]Group(nil), r.Groups...), r.Total)
	dim := strings.ToUpper(string(r.Params.By))
	if dim == "" {
		dim = "GROUP"
	}

	fmt.Fprintln(tw, describePeriod(r.Params))
	fmt.Fprintln(tw, describeTargets(r.Params.Targets))
	fmt.Fprintln(tw)

	fmt.Fprintln(tw, "Time from receipt (median / p90 / max)")
	line(dim, "CASES", "NOTIFIED", "FIRST CALL", "CONVERSATION", "RESOLVED", "INGEST LAG")
	for _, g := range rows {
		line(plain(groupLabel(g)), fmt.Sprint(g.Cases), formatSpread(g.Notify), formatSpread(g.FirstCall),
			formatSpread(g.Conversation), formatSpread(g.Resolution), formatSpread(g.IngestLag))
	}
	fmt.Fprintln(tw)

	fmt.Fprintln(tw, "Targets met (met/judged)")
	line(dim, "NOTIFIED", "FIRST CALL BY DUE", "CONVERSATION", "RESOLVED")
	for _, g := range rows {
		line(plain(groupLabel(g)), formatMet(g.Notify), formatMet(g.FirstCall),
			formatMet(g.Conversation), formatMet(g.Resolution))
	}
	fmt.Fprintln(tw)

	fmt.Fprintln(tw, "Breaches and follow-through")
	line(dim, "BREACHES", "ESCALATIONS", "VIOLATIONS", "REPEAT CONTACTS", "FOLLOW-UPS", "DONE", "ON TIME")
	for _, g := range rows {
		line(plain(groupLabel(g)), fmt.Sprint(g.Breaches), fmt.Sprint(g.Escalations),
			fmt.Sprint(g.Violations), fmt.Sprint(g.RepeatContacts), fmt.Sprint(g.FollowUps),
			fmt.Sprint(g.FollowUpsDone), fmt.Sprint(g.FollowUpsOnTime))
	}

	if len(r.Weekly) > 0 {
		fmt.Fprintln(tw)
		fmt.Fprintln(tw, "Weekly: first call by due time")
		line("WEEK OF", "CASES", "MET", "MISSED", "MET %")
		for _, wk := range r.Weekly {
			line(wk.Start.Format("2006-01-02"), fmt.Sprint(wk.Cases), fmt.Sprint(wk.CallMet),
				fmt.Sprint(wk.CallMissed), formatPct(wk.CallMetPct))
		}
	}

	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "Time to first call")
	line("WITHIN", "CASES")
	for _, b := range r.CallHistogram {
		line(b.Label, fmt.Sprint(b.Count))
	}

	if err := tw.Flush(); err != nil {
		return fmt.Errorf("format audit table: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write audit table: %w", err)
	}
	return nil
}

// describePeriod says what a report covers, in one line.
func describePeriod(p Params) string {
	var b strings.Builder
	b.WriteString("Response-time audit of the cases opened")
	if !p.From.IsZero() {
		b.WriteString(" from " + p.From.UTC().Format("2006-01-02 15:04 MST"))
	}
	if !p.To.IsZero() {
		b.WriteString(" until " + p.To.UTC().Format("2006-01-02 15:04 MST"))
	}
	if p.By != ByNone {
		b.WriteString(", by " + string(p.By))
	}
	if !p.Now.IsZero() {
		b.WriteString(", as of " + p.Now.UTC().Format("2006-01-02 15:04 MST"))
	}
	return plain(b.String())
}

// describeTargets says what counts as met, in one line.
func describeTargets(t Targets) string {
	parts := []string{"first call by each case's due time"}
	if t.Notify > 0 {
		parts = append(parts, "notified within "+FormatDuration(t.Notify))
	}
	if t.Conversation > 0 {
		parts = append(parts, "conversation within "+FormatDuration(t.Conversation))
	}
	if t.Resolution > 0 {
		parts = append(parts, "resolved within "+FormatDuration(t.Resolution))
	}
	return "Targets: " + strings.Join(parts, "; ")
}
