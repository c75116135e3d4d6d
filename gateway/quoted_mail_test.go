package gateway_test

import (
	"strings"
	"testing"

	"github.com/triage-gw/triage/nlp"
)

// A reply's quoted history reaches the NLP stage as Input.Quoted, apart
// from what the customer wrote now: read as context (its category phrases
// count at a discount), it weighs no tone or urgency rule, and the
// signature is not read at all.
func TestQuotedReplyHistoryIsContext(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.start(t)
	now := "Thank you, the replacement kettle arrived this morning and works fine."
	history := "On Mon, Mar 9, 2026 at 10:00 AM Jane Doe <jane@acme.example> wrote:\r\n" +
		"> This is UNACCEPTABLE!!! My order 4521 never arrived and nobody calls me back.\r\n" +
		"> I want a refund TODAY or I am calling my lawyer."
	b.appendMail(t, "quoted-1", "Jane Doe <jane@acme.example>", "Re: Order 4521",
		now+"\r\n\r\n"+history+"\r\n\r\n-- \r\nJane Doe\r\nHave a wonderful, fantastic day!")
	r := b.next(t)
	if r.Inbound.Text != now || !strings.Contains(r.Inbound.Quoted, "UNACCEPTABLE") || strings.Contains(r.Inbound.Quoted, "wonderful") {
		t.Fatalf("Inbound.Text, Quoted = %q, %q; want the new text, and the history without the signature", r.Inbound.Text, r.Inbound.Quoted)
	}
	a := r.Assessment
	read := false // the history reached the NLP stage, as context
	for _, e := range a.Category.Evidence {
		if e.Field != "quoted" {
			continue
		}
		read = true
		if e.Start < 0 || e.End > len(r.Inbound.Quoted) || r.Inbound.Quoted[e.Start:e.End] != e.Phrase {
			t.Errorf("category evidence %+v: want Inbound.Quoted[%d:%d] to be its phrase", e, e.Start, e.End)
		}
	}
	if !read {
		t.Errorf("Assessment.Category.Evidence = %+v, want a phrase of the quoted history", a.Category.Evidence)
	}
	for _, e := range append(append([]nlp.Evidence{}, a.Tone.Evidence...), a.Urgency.Evidence...) {
		fromHistory := e.Field == "quoted"
		for _, w := range []string{"UNACCEPTABLE", "lawyer", "TODAY", "nobody calls"} {
			fromHistory = fromHistory || strings.Contains(e.Phrase, w)
		}
		if fromHistory && e.Rule != "learned: quoted words" {
			t.Errorf("tone or urgency evidence %+v comes from the quoted history", e)
		}
		if strings.Contains(e.Phrase, "wonderful") || strings.Contains(e.Phrase, "fantastic") {
			t.Errorf("tone or urgency evidence %+v comes from the signature", e)
		}
	}
}
