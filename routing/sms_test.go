package routing

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSMSTextFitsAndKeepsTheCallToAction(t *testing.T) {
	t.Parallel()
	in := SMSInput{CaseID: 42, Role: "owner", Priority: PriorityHigh, Customer: "Jane Doe (Acme)",
		Summary: strings.Repeat("Order 48213 has not arrived and the customer is upset. ", 20),
		Tone:    "angry", Why: []string{"deadline Friday"}, Facts: []string{"#48213", "$1,249.00"},
		DueAt: tuesday10, Link: "https://triage.example.com/cases/42"}
	got := SMSText(in)
	if len(got) > MaxSMSLength {
		t.Errorf("len(SMSText) = %d, want <= %d", len(got), MaxSMSLength)
	}
	for _, want := range []string{"[HIGH] Case 42 Jane Doe (Acme)", "Call by Tue 10:00 UTC.", "https://triage.example.com/cases/42",
		"Reply CALL 42 to be connected, ACK 42, DONE 42 <note>, or HELP."} {
		if !strings.Contains(got, want) {
			t.Errorf("SMSText = %q, want it to contain %q", got, want)
		}
	}
}

// The call to action advertises exactly commands that parse.
func TestSMSTextAdvertisesCommandsThatExist(t *testing.T) {
	t.Parallel()
	got := SMSText(SMSInput{CaseID: 12, Priority: PriorityNormal, DueAt: tuesday10})
	_, cta, ok := strings.Cut(got, "Reply ")
	if !ok {
		t.Fatalf("SMSText = %q, want a call to action", got)
	}
	for _, part := range strings.Split(strings.TrimSuffix(cta, "."), ", ") {
		part = strings.TrimPrefix(part, "or ")
		part = strings.TrimSuffix(part, " to be connected")
		part = strings.ReplaceAll(part, "<note>", "called and refunded")
		if _, err := ParseCommand(part); err != nil {
			t.Errorf("SMSText advertises %q, which ParseCommand rejects: %v", part, err)
		}
	}
}

// Property: whatever comes from outside, the text fits and keeps its
// call to action.
func TestSMSTextLengthProperty(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ü", 600)
	ids := []int64{1, 12, 9_223_372_036_854_775_807}
	roles := []string{"owner", "manager", "escalation", "qa", "agent", ""}
	custs := []string{"", "Jane", long, "a\nb\tc " + long}
	links := []string{"", "https://x.example/cases/1", "https://x.example/" + strings.Repeat("p", 300)}
	ny, _ := time.LoadLocation("America/New_York")
	for _, id := range ids {
		for _, role := range roles {
			for _, cust := range custs {
				for _, link := range links {
					in := SMSInput{CaseID: id, Role: role, Priority: PriorityCritical, Customer: cust, Summary: long, Tone: long,
						Why: []string{long, long}, Facts: []string{long}, DueAt: tuesday10, Location: ny, Link: link}
					got := SMSText(in)
					name := fmt.Sprintf("id %d role %q customer %d bytes link %d bytes", id, role, len(cust), len(link))
					if len(got) > MaxSMSLength || !utf8.ValidString(got) {
						t.Errorf("%s: len(SMSText) = %d (valid UTF-8 %v), want <= %d", name, len(got), utf8.ValidString(got), MaxSMSLength)
					}
					want := fmt.Sprintf("Reply CALL %d to be connected", id)
					if role == "qa" {
						want = "no reply needed"
					}
					if !strings.Contains(got, want) {
						t.Errorf("%s: SMSText = %q, want it to contain %q", name, got, want)
					}
				}
			}
		}
	}
}

func TestWhisperText(t *testing.T) {
	t.Parallel()
	got := WhisperText(WhisperInput{CaseID: 12, Customer: "Jane Doe (Acme)", Priority: PriorityHigh, Tone: "angry",
		Summary: "My order #48213 never arrived, see https://track.example/48213 and I need it by Friday",
		Facts:   []string{"order #48213", "$1,249.00", "promised March 3", "fourth fact"}})
	want := "Case 12, high priority. Jane Doe (Acme). The customer sounds angry. They said: My order number 48213 never arrived, see and I need it by Friday. " +
		"Key facts: order number 48213; $1,249.00; promised March 3. Ready when you are."
	if got != want {
		t.Errorf("WhisperText = %q\nwant %q", got, want)
	}
	long := strings.Repeat("word ", 400)
	got = WhisperText(WhisperInput{CaseID: 9_223_372_036_854_775_807, Customer: long, Summary: long, Tone: long, Priority: PriorityCritical,
		Facts: []string{long, long, long, long}})
	if len(got) > MaxWhisperLength || !strings.HasSuffix(got, "Ready when you are.") || strings.Contains(got, "http") {
		t.Errorf("WhisperText(long) = %d bytes %q; want <= %d ending with the hand-over", len(got), got, MaxWhisperLength)
	}
}
