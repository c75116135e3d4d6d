package audit

import (
	"fmt"
	"html/template"
	"strings"
)

// WeeklyTrendSVG charts, per ISO week of the period (Report.Weekly), the
// share of cases called back by their due time, as bars on a 0–100% scale.
// A week with nothing to judge shows a grey mark on the baseline.
func WeeklyTrendSVG(r Report) template.HTML {
	const (
		height        = 320
		left, right   = 48.0, 624.0
		top, baseline = 64.0, 256.0
	)
	n := len(r.Weekly)
	c := newChart(height, "First call by due time, per week", weeklyDesc(r))
	for _, p := range []int{0, 25, 50, 75, 100} {
		y := baseline - float64(p)/100*(baseline-top)
		c.line(left, y, right, y, colorGrid, 1)
		c.text(left-6, y+4, "end", `fill="`+colorMuted+`"`, fmt.Sprintf("%d%%", p))
	}
	if n == 0 {
		c.text((left+right)/2, (top+baseline)/2, "middle", `fill="`+colorMuted+`"`, "No weeks in this period")
		return c.html()
	}
	slot := (right - left) / float64(n)
	step := (n + 7) / 8 // at most eight date labels
	for i, wk := range r.Weekly {
		x := left + float64(i)*slot
		day := wk.Start.Format("2006-01-02")
		if wk.CallMetPct < 0 {
			c.open(fmt.Sprintf("Week of %s: %d cases, nothing to judge", day, wk.Cases))
			c.rect(x+slot*0.15, baseline-2, max(slot*0.7, 1), 2, colorMuted)
		} else {
			h := wk.CallMetPct / 100 * (baseline - top)
			c.open(fmt.Sprintf("Week of %s: %s called by due time (%d of %d judged; %d cases)",
				day, formatPct(wk.CallMetPct), wk.CallMet, wk.CallMet+wk.CallMissed, wk.Cases))
			c.rect(x+slot*0.15, baseline-h, max(slot*0.7, 1), h, colorBar)
			if n <= 13 {
				c.text(x+slot/2, baseline-h-6, "middle", `font-size="11"`, formatPct(wk.CallMetPct))
			}
		}
		if i%step == 0 {
			c.text(x+slot/2, 276, "middle", "", wk.Start.Format("Jan 2"))
		}
		c.close()
	}
	c.line(left, baseline, right, baseline, colorMuted, 1)
	c.text((left+right)/2, 304, "middle", `fill="`+colorMuted+`"`, "week starting (Monday, UTC)")
	return c.html()
}

// weeklyDesc states the weekly numbers in words: every week for a short
// period, a summary for a long one.
func weeklyDesc(r Report) string {
	n := len(r.Weekly)
	if n == 0 {
		return "Share of cases called back by their due time, per week: no weeks in this period."
	}
	first, last := r.Weekly[0].Start.Format("2006-01-02"), r.Weekly[n-1].Start.Format("2006-01-02")
	head := fmt.Sprintf("Share of cases called back by their due time, per ISO week, %d weeks from the week of %s to the week of %s; %s overall.",
		n, first, last, formatPct(r.Total.FirstCall.MetPct))
	if n > 26 {
		return head
	}
	parts := make([]string, 0, n)
	for _, wk := range r.Weekly {
		parts = append(parts, fmt.Sprintf("week of %s: %s of %d cases", wk.Start.Format("2006-01-02"),
			formatPct(wk.CallMetPct), wk.Cases))
	}
	return head + " " + strings.Join(parts, "; ") + "."
}

// GroupComparisonSVG charts one interval per group (the total when the
// report has no groups) as horizontal bars: the bar is the median, the red
// tick the 90th percentile. s picks the interval, e.g.
// func(g Group) Stat { return g.FirstCall }; nil picks FirstCall.
func GroupComparisonSVG(r Report, s func(Group) Stat) template.HTML {
	title := "Time from receipt, median and 90th percentile"
	if r.Params.By != ByNone {
		title += ", per " + string(r.Params.By)
	}
	return GroupComparisonSVGTitled(r, title, s)
}

// GroupComparisonSVGTitled is GroupComparisonSVG with a title that names
// the interval (e.g. "Time to first call per owner"); the title is the
// chart's visible heading and accessible name.
func GroupComparisonSVGTitled(r Report, title string, s func(Group) Stat) template.HTML {
	const (
		top, rowH     = 72.0, 28.0
		labelX        = 152.0
		left, right   = 160.0, 456.0
		valueX        = 466.0
		maxLabelRunes = 22
	)
	if s == nil {
		s = func(g Group) Stat { return g.FirstCall }
	}
	groups := r.Groups
	if len(groups) == 0 {
		groups = []Group{r.Total}
	}
	scale := 0.0
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		st := s(g)
		scale = max(scale, float64(st.P90), float64(st.Median))
		parts = append(parts, groupSummary(g, st))
	}
	if scale <= 0 {
		scale = 1
	}
	height := int(top + float64(len(groups))*rowH + 16)
	c := newChart(height, title, title+". "+strings.Join(parts, "; ")+".")

	c.rect(left, 40, 18, 10, colorBar)
	c.text(left+24, 49, "start", "", "median")
	c.line(left+90, 38, left+90, 52, colorTick, 2)
	c.text(left+98, 49, "start", "", "90th percentile")

	for i, g := range groups {
		st := s(g)
		y := top + float64(i)*rowH
		c.open(groupSummary(g, st))
		c.text(labelX, y+17, "end", "", shorten(groupLabel(g), maxLabelRunes))
		if st.Count == 0 {
			c.text(left, y+17, "start", `fill="`+colorMuted+`"`, "no case reached it")
			c.close()
			continue
		}
		w := float64(st.Median) / scale * (right - left)
		c.rect(left, y+6, w, 16, colorBar)
		px := left + float64(st.P90)/scale*(right-left)
		c.line(px, y+2, px, y+26, colorTick, 2)
		c.text(valueX, y+17, "start", "", fmt.Sprintf("%s · p90 %s", FormatDuration(st.Median), FormatDuration(st.P90)))
		c.close()
	}
	return c.html()
}

// groupSummary states one group's interval in words.
func groupSummary(g Group, st Stat) string {
	if st.Count == 0 {
		return fmt.Sprintf("%s: no case reached it (%d cases)", groupLabel(g), g.Cases)
	}
	return fmt.Sprintf("%s: median %s, 90th percentile %s (%d of %d cases)",
		groupLabel(g), FormatDuration(st.Median), FormatDuration(st.P90), st.Count, g.Cases)
}
