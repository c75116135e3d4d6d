package audit

import (
	"encoding/xml"
	"errors"
	"html/template"
	"io"
	"strings"
	"testing"
)

// parseSVG decodes a chart with encoding/xml, failing the test unless it
// is well-formed and holds only the elements the charts draw, with no
// event handler or link attribute, and returns its character data (text, titles, desc) and
// its root element's attributes.
func parseSVG(t *testing.T, name string, svg template.HTML) (texts []string, root map[string]string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(string(svg)))
	dec.Strict = true
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v\n%s", name, err, svg)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				root = make(map[string]string)
				for _, a := range tok.Attr {
					root[a.Name.Local] = a.Value
				}
				if tok.Name.Local != "svg" {
					t.Errorf("%s: root element %q, want svg", name, tok.Name.Local)
				}
			}
			switch tok.Name.Local {
			case "svg", "title", "desc", "g", "rect", "line", "text":
			default:
				t.Errorf("%s holds a <%s> element", name, tok.Name.Local)
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || a.Name.Local == "href" {
					t.Errorf("%s: <%s> has the attribute %s", name, tok.Name.Local, a.Name.Local)
				}
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			texts = append(texts, string(tok))
		}
	}
	if depth != 0 {
		t.Errorf("%s: %d elements left open", name, depth)
	}
	return texts, root
}

func charts(r Report) map[string]template.HTML {
	return map[string]template.HTML{
		"CallHistogramSVG":        CallHistogramSVG(r),
		"WeeklyTrendSVG":          WeeklyTrendSVG(r),
		"GroupComparisonSVG":      GroupComparisonSVG(r, func(g Group) Stat { return g.Resolution }),
		"GroupComparisonSVG(nil)": GroupComparisonSVG(r, nil),
		"GroupComparisonSVGTitled": GroupComparisonSVGTitled(r, "Time to <b>resolution</b> & more",
			func(g Group) Stat { return g.Resolution }),
	}
}

func TestSVGAccessible(t *testing.T) {
	t.Parallel()
	for name, svg := range charts(Compute(fixtureRows(), fixtureParams(ByOwner))) {
		texts, root := parseSVG(t, name, svg)
		if root["role"] != "img" || root["viewBox"] == "" || root["aria-labelledby"] == "" {
			t.Errorf("%s root = %v, want role=img, a viewBox and aria-labelledby", name, root)
		}
		s := string(svg)
		for _, id := range strings.Fields(root["aria-labelledby"]) {
			if !strings.Contains(s, `id="`+id+`"`) {
				t.Errorf("%s: aria-labelledby names %q, which is not in the chart", name, id)
			}
		}
		if !strings.Contains(s, "<title id=") || !strings.Contains(s, "<desc id=") {
			t.Errorf("%s lacks its <title> or <desc>", name)
		}
		if len(texts) < 5 {
			t.Errorf("%s has %d texts, want visible labels", name, len(texts))
		}
	}
}

func TestSVGStatesTheNumbers(t *testing.T) {
	t.Parallel()
	r := Compute(fixtureRows(), fixtureParams(ByOwner))
	for name, want := range map[string][]string{
		// The histogram's counts, and the words for them.
		"CallHistogramSVG": {"no call yet: 3", "≤15m: 2"},
		// The weeks' shares.
		"WeeklyTrendSVG": {"50.0%", "66.7%", "week of 2025-03-10: 66.7% of 5 cases"},
		// Anna's first call: median 10m, P90 50m.
		"GroupComparisonSVG(nil)": {"Anna: median 10m, 90th percentile 50m (2 of 3 cases)", "10m · p90 50m"},
	} {
		texts, _ := parseSVG(t, name, charts(r)[name])
		all := strings.Join(texts, "\n")
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s does not say %q:\n%s", name, w, all)
			}
		}
	}
}

func TestSVGEscapesHostileKeys(t *testing.T) {
	t.Parallel()
	hostile := []string{
		`<script>alert(1)</script>`,
		`"><svg onload=alert(1)>`,
		`' onmouseover='alert(1)`,
		"]]><!--\x00\x1b\uFFFE&amp;",
		strings.Repeat("é", 100),
		"\xff\xfe invalid UTF-8",
	}
	for _, key := range hostile {
		rows := fixtureRows()
		for i := range rows {
			rows[i].Category = key
		}
		p := fixtureParams(ByCategory)
		r := Compute(rows, p)
		for name, svg := range charts(r) {
			s := string(svg)
			if strings.Contains(s, "<script") || strings.Count(s, "<svg") != 1 {
				t.Errorf("%s with key %q carries live markup:\n%s", name, key, s)
			}
			texts, _ := parseSVG(t, name, svg)
			if !strings.HasPrefix(name, "GroupComparison") || !strings.HasPrefix(key, "<script>") {
				continue
			}
			found := false
			for _, tx := range texts {
				if strings.Contains(tx, key) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s does not show the key %q as text", name, key)
			}
		}
	}
}

func TestSVGEmpty(t *testing.T) {
	t.Parallel()
	for _, r := range []Report{{}, Compute(nil, Params{}), Compute(nil, fixtureParams(ByTeam))} {
		for name, svg := range charts(r) {
			parseSVG(t, name, svg)
		}
	}
}

func TestShorten(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"Anna", 22, "Anna"},
		{"abcdef", 4, "abc…"},
		{"éééééé", 3, "éé…"},
	} {
		if got := shorten(tc.in, tc.n); got != tc.want {
			t.Errorf("shorten(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
