package audit

import (
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"html/template"
	"strings"
	"unicode/utf8"
)

// The charts are server-rendered SVG, without script or style sheets: they
// work inline in an HTML page and as standalone files. Each is a role="img"
// with a <title> and a <desc> that states the numbers in words, visible
// text labels, and colours with a contrast of at least 4.5:1 against white.
// Every piece of text is escaped as XML character data (characters XML
// cannot carry become U+FFFD), so any key gives well-formed, inert markup.
const (
	chartWidth = 640
	colorText  = "#1a1a1a" // 17:1 on white
	colorBar   = "#1f5f99" // 6.9:1
	colorMuted = "#5f5f5f" // 6.4:1
	colorTick  = "#b3261e" // 6.2:1
	colorGrid  = "#d9d9d9" // decorative only
)

// svgChart builds one chart.
type svgChart struct {
	b strings.Builder
}

// newChart opens a chart of the given height with its accessible name and
// description and its visible title.
func newChart(height int, title, desc string) *svgChart {
	h := fnv.New64a()
	h.Write([]byte(title + "\x00" + desc))
	id := fmt.Sprintf("audit-chart-%016x", h.Sum64())
	c := &svgChart{}
	fmt.Fprintf(&c.b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12" fill="%s">`,
		chartWidth, height, id, id, colorText)
	fmt.Fprintf(&c.b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(title), id, esc(desc))
	fmt.Fprintf(&c.b, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`, chartWidth, height)
	c.text(16, 24, "start", `font-size="15" font-weight="600"`, title)
	return c
}

// text writes a label; attrs are trusted attributes, s is escaped.
func (c *svgChart) text(x, y float64, anchor, attrs, s string) {
	fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" text-anchor="%s" %s>%s</text>`, x, y, anchor, attrs, esc(s))
}

func (c *svgChart) rect(x, y, w, h float64, fill string) {
	fmt.Fprintf(&c.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x, y, max(w, 0), max(h, 0), fill)
}

func (c *svgChart) line(x1, y1, x2, y2 float64, stroke string, width float64) {
	fmt.Fprintf(&c.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%.1f"/>`, x1, y1, x2, y2, stroke, width)
}

// open starts a group whose tooltip (and accessible name) is tip.
func (c *svgChart) open(tip string) {
	fmt.Fprintf(&c.b, `<g><title>%s</title>`, esc(tip))
}

func (c *svgChart) close() { c.b.WriteString(`</g>`) }

func (c *svgChart) html() template.HTML {
	c.b.WriteString(`</svg>`)
	// The markup is built here and every text in it escaped by esc.
	return template.HTML(c.b.String())
}

// esc escapes text for XML character data and attribute values.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

// shorten cuts a label to n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return string(rs[:n-1]) + "…"
}

// CallHistogramSVG charts the distribution of time from receipt to first
// call attempt (Report.CallHistogram) as bars with their counts.
func CallHistogramSVG(r Report) template.HTML {
	const (
		height         = 320
		left, right    = 40.0, 624.0
		top, baseline  = 64.0, 256.0
		labelY, countY = 276.0, -6.0
	)
	parts := make([]string, 0, len(r.CallHistogram))
	most := 0
	for _, b := range r.CallHistogram {
		parts = append(parts, fmt.Sprintf("%s: %d", b.Label, b.Count))
		most = max(most, b.Count)
	}
	desc := fmt.Sprintf("Cases by time from receipt to first call attempt, %d cases. %s.",
		r.Total.Cases, strings.Join(parts, "; "))
	c := newChart(height, "Time to first call attempt", desc)
	c.line(left, baseline, right, baseline, colorMuted, 1)
	if len(r.CallHistogram) == 0 || most == 0 {
		c.text((left+right)/2, (top+baseline)/2, "middle", `fill="`+colorMuted+`"`, "No cases in this period")
	}
	if n := len(r.CallHistogram); n > 0 {
		slot := (right - left) / float64(n)
		for i, b := range r.CallHistogram {
			x := left + float64(i)*slot
			h := 0.0
			if most > 0 {
				h = float64(b.Count) / float64(most) * (baseline - top)
			}
			fill := colorBar
			if i == n-1 && b.Upper == 0 { // no call yet
				fill = colorMuted
			}
			c.open(fmt.Sprintf("%s: %d cases", b.Label, b.Count))
			c.rect(x+slot*0.15, baseline-h, slot*0.7, h, fill)
			c.text(x+slot/2, baseline-h+countY, "middle", `font-weight="600"`, fmt.Sprint(b.Count))
			c.text(x+slot/2, labelY, "middle", "", b.Label)
			c.close()
		}
	}
	c.text((left+right)/2, 304, "middle", `fill="`+colorMuted+`"`, "time from receipt to first call attempt")
	return c.html()
}
