package nlp

import (
	"slices"
	"strings"
	"testing"
)

func TestParsePhrase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		phrase string
		want   []string // expansions, words joined by spaces
	}{
		{phrase: "still waiting", want: []string{"still waiting"}},
		{phrase: "take [our|my] business elsewhere", want: []string{"take our business elsewhere", "take my business elsewhere", "take business elsewhere"}},
		{phrase: "please * call", want: []string{"please * call"}},
		{phrase: "Can't ship", want: []string{"can't ship"}},
		// A bare a|b is fine when it is the whole phrase.
		{phrase: "refund|refunds", want: []string{"refund", "refunds"}},
		{phrase: "(i|we) paid", want: []string{"i paid", "we paid"}},
		{phrase: "(has not|hasn't) [been] (arrived|received)", want: []string{
			"has not been arrived", "has not been received", "has not arrived", "has not received",
			"hasn't been arrived", "hasn't been received", "hasn't arrived", "hasn't received"}},
		{phrase: "payment [has been|was] declined", want: []string{"payment has been declined", "payment was declined", "payment declined"}},
		{phrase: "(thank you|thanks) for (fixing|being patient)", want: []string{
			"thank you for fixing", "thank you for being patient", "thanks for fixing", "thanks for being patient"}},
		{phrase: "(auto debited|auto-debited)", want: []string{"auto debited", "auto-debited"}},
		{phrase: "(  phone   lines | Internet )  are down", want: []string{"phone lines are down", "internet are down"}},
		{phrase: "i ordered (*|one) but", want: []string{"i ordered * but", "i ordered one but"}},
		{phrase: "[the] (box|boxes)", want: []string{"the box", "the boxes", "box", "boxes"}},
		{phrase: "\tnew\u00a0vendor ", want: []string{"new vendor"}},
	}
	for _, tt := range tests {
		seqs, err := expandPhrase(tt.phrase, lowerWord)
		if err != nil {
			t.Errorf("expandPhrase(%q) error = %v, want nil", tt.phrase, err)
			continue
		}
		var got []string
		for _, s := range seqs {
			got = append(got, strings.Join(s, " "))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("expandPhrase(%q) = %q, want %q", tt.phrase, got, tt.want)
		}
	}
}

func TestParsePhraseRefuses(t *testing.T) {
	t.Parallel()
	const ambiguous = "use (a b|c) for alternatives of several words"
	tests := []struct {
		phrase string
		want   string // in the error
	}{
		{"", "empty phrase"},
		{"   ", "empty phrase"},
		{"[only optional]", "every word"},
		{"[a] [b|c]", "every word"},
		{"a||b", "empty alternative"},
		{"*", "matches any word"},
		{"(*|foo)", "matches any word"},
		{"[now] *", "matches any word"},
		{"* [*]", "matches any word"},
		// The defect: whitespace cut "has not" in two.
		{"hasn't|has not arrived", ambiguous},
		{"where is|where's my order", ambiguous},
		{"i|we paid", ambiguous},
		{"(i|we) paid|sent", ambiguous},
		{"[the] box|boxes", ambiguous},
		{"[unclosed", `"[" is not closed`},
		{"(has not|hasn't arrived", `"(" is not closed`},
		{"has not) arrived", `")" closes no group`},
		{"late ]", `"]" closes no group`},
		{"(a|b]", `"(" closed by "]"`},
		{"[a|b) c", `"[" closed by ")"`},
		{"()", "empty group"},
		{"[ ] late", "empty group"},
		{"(a|) late", "empty alternative"},
		{"(| a) late", "empty alternative"},
		{"(a (b|c)) late", "groups do not nest"},
		{"[a [b]] late", "groups do not nest"},
		{"(a|b)c", `put a space after "(a|b)"`},
		{"late(a|b)", `put a space before "("`},
		{"(a|b)[c]", `put a space after "(a|b)"`},
		{"(!!!) late", "has no words"},
		{"(a|b) (c|d) (e|f) (g|h) (i|j) (k|l) (m|n) (o|p) (q|r)", "more than 256"},
		// Ambiguity is the more useful message even for a long phrase.
		{"a|b c|d e|f g|h i|j k|l m|n o|p q|r", ambiguous},
	}
	for _, tt := range tests {
		_, err := parsePhrase(tt.phrase)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parsePhrase(%q) error = %v, want one saying %q", tt.phrase, err, tt.want)
		}
	}
}

// shippedPhrases returns every phrase of the project's configuration that
// goes through the phrase matcher, in every file.
func shippedPhrases(t *testing.T) []string {
	t.Helper()
	c := testConfig(t)
	var out []string
	for _, gs := range [][]PhraseGroup{c.Tone.Markers, c.Urgency.Signals, c.Categories.Rules} {
		for _, g := range gs {
			out = append(out, g.Phrases...)
		}
	}
	d := c.Urgency.Deadlines
	out = append(out, c.Facts.StaffComplaintCues...)
	out = slices.Concat(out, d.Triggers, d.SoftTriggers, d.PastMarkers, c.Text.Fillers)
	for _, p := range c.Language.Languages {
		out = slices.Concat(out, p.Negative, p.Frustrated, p.Angry, p.Positive, p.Urgent, p.Question, p.Notice)
		for _, list := range p.Categories {
			out = append(out, list...)
		}
	}
	return out
}

// TestShippedPhrasesHaveNoDeadExpansions guards against the defect the
// parenthesised groups fixed: a multi-word alternative cut by whitespace
// into sequences nobody writes, with two negations ("hasn't not been") or
// a word beside its own contraction ("where where's").
func TestShippedPhrasesHaveNoDeadExpansions(t *testing.T) {
	t.Parallel()
	a := setup(t)
	phrases := shippedPhrases(t)
	if len(phrases) < 500 {
		t.Fatalf("shippedPhrases() = %d phrases, want the whole configuration", len(phrases))
	}
	for _, p := range phrases {
		seqs, err := expandPhrase(p, a.normalize)
		if err != nil {
			t.Errorf("expandPhrase(%q) error = %v", p, err)
			continue
		}
	seqs:
		for _, s := range seqs {
			for i := 1; i < len(s); i++ {
				prev, w := s[i-1], s[i]
				negTwice := (prev == "not" || strings.HasSuffix(prev, "n't")) && (w == "not" || w == "never")
				if negTwice || strings.HasPrefix(w, prev+"'") {
					t.Errorf("phrase %q expands to %q: %q then %q", p, strings.Join(s, " "), prev, w)
					break seqs // one per phrase is enough
				}
			}
		}
	}
}

// TestRewrittenPhrasesMatch checks shipped phrases that once had dead
// expansions against the text they were written for, in the matcher.
func TestRewrittenPhrasesMatch(t *testing.T) {
	t.Parallel()
	a := setup(t)
	shipped := map[string]bool{}
	for _, p := range shippedPhrases(t) {
		shipped[p] = true
	}
	tests := []struct {
		phrase, text, want string
	}{
		{"(hasn't|has not|haven't|have not) (arrived|received|delivered|shipped|come)", "Hi, the order has not arrived yet.", "has not arrived"},
		{"(hasn't|has not|haven't|have not) been (received|delivered|shipped)", "It still hasn't been shipped", "hasn't been shipped"},
		{"(where is|where's) (my|our) (order|package|parcel|shipment|delivery)", "Where's our parcel??", "where's our parcel"},
		{"(isn't|is not|wasn't|was not) on a truck", "it was not on a truck", "was not on a truck"},
		{"payment (was|has been|got) (declined|rejected|returned)", "Our payment was declined twice", "payment was declined"},
		{"payment (was|has been|got) (declined|rejected|returned)", "the payment has been returned", "payment has been returned"},
		{"(can't|unable to) pay", "we are unable to pay the invoice", "unable to pay"},
		{"(want|would like|like|need) a refund", "I would like a refund", "would like a refund"},
		{"(doesn't|does not|didn't|did not) match", "the proof does not match the file", "does not match"},
		{"(didn't|did not|never) (show up|turn up|come)", "they never turn up on time", "never turn up"},
		{"(you sent|your guy|your guys|your team|your man|your worker|your workers)", "your guys left a mess", "your guys"},
		{"(thank you|thanks) for (fixing|sorting|resolving|chasing|being patient)", "Thanks for sorting it out", "thanks for sorting"},
		{"[was|were|got|been] refunded (this morning|today|yesterday)", "I was refunded this morning", "was refunded this morning"},
		{"(didn't|did not|never) (call|respond|reply)", "Dana did not reply", "did not reply"},
		{"(i'm|we're|we are|i am) done", "we are done with this", "we are done"},
		{"[i'm|i am] not paying for", "I am not paying for that", "i am not paying for"},
		{"(last year's|old) (prices|pricing|file|tagline|version|address|phone number)", "it has last year's phone number on it", "last year's phone number"},
		{"(internet|service|power|phones|phone|account|line) (was|were|got|is) (cut off|shut off|disconnected)", "our power was shut off", "power was shut off"},
		{"(phones|phone lines|internet|network|email|website|site|system|terminal|terminals) (are|is) down", "the phone lines are down", "phone lines are down"},
	}
	for _, tt := range tests {
		if !shipped[tt.phrase] {
			t.Errorf("%q is not a phrase of %s", tt.phrase, configDir)
			continue
		}
		var m matcher
		if err := m.add(tt.phrase, payload{}, a.normalize); err != nil {
			t.Fatalf("add(%q) error = %v", tt.phrase, err)
		}
		words := splitWords(tt.text, a.normalize)
		var got []string
		for _, h := range m.scan(words, nil) {
			got = append(got, strings.Join(words[h.first:h.last+1], " "))
		}
		if !slices.Contains(got, tt.want) {
			t.Errorf("phrase %q in %q found %q, want %q", tt.phrase, tt.text, got, tt.want)
		}
	}
}

// TestRewrittenPhrasesAsEvidence checks that the rewritten phrases reach
// the assessment: the analyser cites them as evidence.
func TestRewrittenPhrasesAsEvidence(t *testing.T) {
	t.Parallel()
	a := setup(t)
	tests := []struct {
		text, rule, phrase string
		ev                 func(Assessment) []Evidence
	}{
		{"Hello, the order has not arrived and it is now two weeks late.", "missed_or_late_shipment", "has not arrived",
			func(a Assessment) []Evidence { return a.Category.Evidence }},
		{"Our payment was declined again, please advise.", "missed_or_bounced_payment", "payment was declined",
			func(a Assessment) []Evidence { return a.Category.Evidence }},
		{"Thanks for sorting the refund so quickly!", "praise", "Thanks for sorting",
			func(a Assessment) []Evidence { return a.Category.Evidence }},
		{"Our phone lines are down since this morning.", "outage", "phone lines are down",
			func(a Assessment) []Evidence { return a.Urgency.Evidence }},
		{"We will take our business elsewhere.", "churn", "take our business elsewhere",
			func(a Assessment) []Evidence { return a.Urgency.Evidence }},
		{"I'm not paying for a broken dishwasher.", "anger", "I'm not paying for",
			func(a Assessment) []Evidence { return a.Tone.Evidence }},
	}
	for _, tt := range tests {
		got := tt.ev(a.Analyze(email("", tt.text)))
		found := slices.ContainsFunc(got, func(e Evidence) bool {
			return strings.TrimPrefix(e.Rule, "rules: ") == tt.rule && e.Phrase == tt.phrase
		})
		if !found {
			t.Errorf("Analyze(%q) evidence = %+v, want %s %q", tt.text, got, tt.rule, tt.phrase)
		}
	}
}

func TestMatcherCountsAPhraseOnce(t *testing.T) {
	t.Parallel()
	var m matcher
	// Both alternatives normalise to the same words.
	if err := m.add("(Late|late) order", payload{}, lowerWord); err != nil {
		t.Fatalf("add error = %v", err)
	}
	if got := m.scan([]string{"late", "order"}, nil); len(got) != 1 {
		t.Errorf("scan(late order) = %+v, want one hit", got)
	}
}
