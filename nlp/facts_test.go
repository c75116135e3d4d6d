package nlp

import (
	"slices"
	"testing"
	"time"
)

func TestFacts(t *testing.T) {
	t.Parallel()
	a := setup(t)
	in := email("Re: invoice INV-20931", "Hi, order #48213 and purchase order 7731 (your ORD-2026-0042) were billed "+
		"$1,249.00 and then €80 again, plus 300 dollars. Ticket SR-19870 is still open.\n"+
		"Call me on 614-555-0187 or +44 20 7946 0958, or write to megan.doyle@doyle-gifts.example.\n\n"+
		"Megan Doyle\nDoyle & Daughters Gifts")
	got := a.Analyze(in).Facts
	for _, c := range []struct {
		name string
		got  []string
		want []string
	}{
		{"OrderNumbers", got.OrderNumbers, []string{"48213", "7731", "ORD-2026-0042"}},
		{"InvoiceNumbers", got.InvoiceNumbers, []string{"INV-20931"}},
		{"TicketNumbers", got.TicketNumbers, []string{"SR-19870"}},
		{"Phones", got.Phones, []string{"614-555-0187", "+44 20 7946 0958"}},
		{"Emails", got.Emails, []string{"megan.doyle@doyle-gifts.example"}},
	} {
		for _, w := range c.want {
			if !slices.Contains(c.got, w) {
				t.Errorf("Analyze(%.50q).Facts.%s = %q, want it to hold %q", in.Text, c.name, c.got, w)
			}
		}
	}
	wantAmounts := []Amount{{"$1,249.00", 1249, "USD"}, {"€80", 80, "EUR"}, {"300 dollars", 300, "USD"}}
	if !slices.Equal(got.Amounts, wantAmounts) {
		t.Errorf("Analyze(%.50q).Facts.Amounts = %+v, want %+v", in.Text, got.Amounts, wantAmounts)
	}
}

// TestStaffComplainedAbout holds the rules' staff detection to short
// examples; the learned staff head is measured on the holdout.
func TestStaffComplainedAbout(t *testing.T) {
	t.Parallel()
	a := rulesOnly(t)
	staff := []StaffName{{Name: "Tom Baker", Aliases: []string{"Tom"}}, {Name: "Anna Kowalski", Aliases: []string{"Anna"}}, {Name: "Will Smith", Aliases: []string{"Will"}}}
	tests := []struct {
		text string
		want []string
	}{
		{"Your rep Tom was rude to me on the phone and hung up.", []string{"Tom Baker"}},
		{"Since Anna took over our account, nothing arrives on time.", []string{"Anna Kowalski"}},
		{"Tom was wonderful, thank you. I will call again.", nil},
		{"I will wait for the parcel, it is late again.", nil},
	}
	for _, tt := range tests {
		in := email("", tt.text)
		in.Staff = staff
		got := a.Analyze(in)
		if !slices.Equal(got.StaffComplainedAbout, tt.want) && !(len(tt.want) == 0 && len(got.StaffComplainedAbout) == 0) {
			t.Errorf("Analyze(%q).StaffComplainedAbout = %q, want %q", tt.text, got.StaffComplainedAbout, tt.want)
		}
	}
	in := Input{Channel: ChannelVoicemail, Date: monday10, Staff: staff, Text: "yeah tom was really rude to me when i called yesterday"}
	if got := a.Analyze(in).StaffComplainedAbout; !slices.Equal(got, []string{"Tom Baker"}) {
		t.Errorf("Analyze(transcript %q).StaffComplainedAbout = %q, want [Tom Baker]", in.Text, got)
	}
}

func TestDeadlines(t *testing.T) {
	t.Parallel()
	a := setup(t)
	loc := monday10.Location()
	day := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, loc) }
	tests := []struct {
		text string
		want time.Time
	}{
		{"I need it by Friday.", day(13, 17, 0)},
		{"Please call me back tomorrow morning.", day(10, 9, 0)},
		{"We need the corrected file by EOD.", day(9, 17, 0)},
		{"Must be fixed by March 12 at 3pm.", day(12, 15, 0)},
		{"I need an answer within the hour.", monday10.Add(time.Hour)},
		{"The dock closes at 10 PM tonight, we need the crates by then.", day(9, 22, 0)},
		{"It was supposed to arrive by Monday.", time.Time{}},
		{"The line has been down since Friday.", time.Time{}},
		{"Please deliver by 3/20/2026.", day(20, 17, 0)},
	}
	for _, tt := range tests {
		got := a.Analyze(email("", tt.text)).Urgency
		if !got.Deadline.Equal(tt.want) {
			t.Errorf("Analyze(%q).Urgency.Deadline = %v, want %v; evidence %+v", tt.text, got.Deadline, tt.want, got.Evidence)
		}
	}
	noDate := Input{Text: "My order has not arrived and I need it by Friday.", Channel: ChannelEmail}
	if got := a.Analyze(noDate).Urgency; !got.Deadline.IsZero() || !hasRule(got.Evidence, "deadline") {
		t.Errorf("Analyze(no date, %q).Urgency = %+v, want an unresolved deadline in the evidence", noDate.Text, got)
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	a := setup(t)
	tests := []struct {
		text    string
		code    string
		english bool
	}{
		{"Hola, mi pedido 4521 no ha llegado todavía y es urgente. Necesito una respuesta hoy, por favor.", "es", false},
		{"Bonjour, ma commande est arrivée cassée et je voudrais un remboursement, merci.", "fr", false},
		{"Hallo, die Rechnung ist falsch und wir haben die Bestellung noch nicht erhalten. Bitte dringend melden.", "de", false},
		{"Hi, my order has not arrived yet and it is quite late. Could you check?", "en", true},
		{"ok", "und", true},
	}
	for _, tt := range tests {
		got := a.Analyze(email("", tt.text))
		if got.Language.Code != tt.code || got.Language.English != tt.english {
			t.Errorf("Analyze(%q).Language = %+v, want code %s english %v", tt.text, got.Language, tt.code, tt.english)
		}
		if !tt.english {
			if levelRank[got.Urgency.Level] > levelRank[LevelNormal] {
				t.Errorf("Analyze(%q).Urgency.Level = %s, want at least normal for text not in English", tt.text, got.Urgency.Level)
			}
			if !hasRule(got.Tone.Evidence, "non_english") {
				t.Errorf("Analyze(%q).Tone.Evidence = %+v, want a non_english rule", tt.text, got.Tone.Evidence)
			}
		}
	}
}

func TestSpokenNumbers(t *testing.T) {
	t.Parallel()
	a := setup(t)
	in := Input{Channel: ChannelVoicemail, Date: monday10, Text: "hi this is megan um calling about order four eight two one three again " +
		"please call me back my number is six one four five five five zero one nine two thanks"}
	got := a.Analyze(in).Facts
	if !slices.Equal(got.OrderNumbers, []string{"48213"}) || !slices.Equal(got.Phones, []string{"6145550192"}) {
		t.Errorf("Analyze(%q).Facts = orders %q, phones %q; want [48213] and [6145550192]", in.Text, got.OrderNumbers, got.Phones)
	}
}
