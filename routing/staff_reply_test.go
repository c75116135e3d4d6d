package routing

import (
	"strings"
	"testing"
	"time"
)

// POLICY P1: before any call attempt on an open complaint, a staff email
// is a violation unless it only schedules the call, acknowledges and asks
// for a time, or says a voicemail was left.
func TestClassifyStaffReplyBeforeCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		subject string
		text    string
		want    StaffReplyKind
		reason  string // a part of the reason, for violations
	}{
		// Short scheduling replies.
		{"when can I call", "Re: Order #48213", "Hi Jane, when can I call you?", StaffReplyScheduling, ""},
		{"proposes 3pm", "Re: Order #48213", "I'll call you at 3pm today.", StaffReplyScheduling, ""},
		{"what number", "Re: Order #48213", "What number is best to reach you?", StaffReplyScheduling, ""},
		{"proposes 15:30", "Re: Order #48213", "Can I ring you tomorrow at 15:30?\n\nTom", StaffReplyScheduling, ""},
		{"talk this afternoon", "Re: billing", "Are you free to talk this afternoon?", StaffReplyScheduling, ""},
		{"curly apostrophe", "Re: billing", "I’ll give you a call on Monday morning, does that work?", StaffReplyScheduling, ""},
		{"phone number only", "Re: billing", "Could you send me your phone number please?", StaffReplyScheduling, ""},
		{"german wann", "AW: Bestellung 48213", "Wann kann ich Sie anrufen?", StaffReplyScheduling, ""},
		{"german uhr", "AW: Bestellung 48213", "Ich rufe Sie morgen um 10 Uhr an.", StaffReplyScheduling, ""},
		{"german nummer", "AW: Rechnung", "Unter welcher Telefonnummer erreiche ich Sie am besten?", StaffReplyScheduling, ""},
		{"spanish cuando", "RE: pedido 48213", "¿Cuándo puedo llamarle?", StaffReplyScheduling, ""},
		{"spanish hora", "RE: pedido 48213", "Le llamo mañana a las 10, ¿le va bien?", StaffReplyScheduling, ""},
		{"french quand", "Re: commande 48213", "Quand puis-je vous appeler ?", StaffReplyScheduling, ""},
		{"french 15h", "Re: commande 48213", "Je vous rappelle à 15h, ça vous convient ?", StaffReplyScheduling, ""},
		{"refund in the customer's subject", "Re: Where is my refund???", "When is a good time to call you?", StaffReplyScheduling, ""},

		// The two allowed kinds.
		{"acknowledgement", "Re: Order #48213",
			"Hi Jane, thank you for your message, we have received it and I'm sorry to hear the order has not arrived. " +
				"I would like to talk it through with you in person. When is a good time to call you, and on which number?",
			StaffReplyAcknowledgement, ""},
		{"acknowledgement german", "AW: Bestellung", "Vielen Dank für Ihre Nachricht. Wann kann ich Sie heute anrufen?", StaffReplyAcknowledgement, ""},
		{"voicemail left", "Re: Order #48213",
			"Hi Jane, I tried to call you a few minutes ago and left a message. Please call me back on +1 617 555 0102, or tell me a good time.",
			StaffReplyVoicemailLeft, ""},
		{"voicemail french", "Re: commande", "Je vous ai laissé un message vocal, rappelez-moi quand vous voulez.", StaffReplyVoicemailLeft, ""},

		// Resolution content, however short.
		{"refund", "Re: Order #48213", "We will refund the full amount today.", StaffReplyResolution, "refund"},
		{"refund with a call", "Re: Order #48213", "I've refunded your order. Can I call you tomorrow?", StaffReplyResolution, "refund"},
		{"credit", "Re: over-charge", "We have credited your account with $25.", StaffReplyResolution, "credit"},
		{"discount", "Re: late", "Here is 20% off your next order as an apology.", StaffReplyResolution, "discount"},
		{"voucher", "Re: late", "Please accept this voucher for your trouble.", StaffReplyResolution, "discount"},
		{"replacement", "Re: wrong item", "A replacement has shipped today, tracking to follow.", StaffReplyResolution, "replacement"},
		{"fixed", "Re: login", "We have fixed the problem, please try again.", StaffReplyResolution, "fixed"},
		{"technical explanation", "Re: outage", "The delay was caused by a warehouse system fault on our side.", StaffReplyResolution, "cause"},
		{"apology with remedy", "Re: rude rep", "I'm so sorry. I will make sure this won't happen again.", StaffReplyResolution, "apolog"},
		{"compensation", "Re: late", "As a goodwill gesture we'll cover the shipping.", StaffReplyResolution, "compensation"},
		{"waive fee", "Re: bounced payment", "We will waive the late fee this time.", StaffReplyResolution, "compensation"},
		{"refund in own subject", "Your refund", "When can I call you?", StaffReplyResolution, "refund"},
		{"refund german", "AW: Rechnung", "Wir erstatten Ihnen den Betrag. Wann kann ich Sie anrufen?", StaffReplyResolution, "refund"},
		{"fixed spanish", "RE: factura", "El problema está solucionado.", StaffReplyResolution, "fixed"},
		{"refund french", "Re: facture", "Nous allons vous rembourser dès demain.", StaffReplyResolution, "refund"},
		{"replacement with acknowledgement", "Re: wrong item",
			"Thanks for your message. We'll send you a new one today. When can I call you?", StaffReplyResolution, "replacement"},

		// Other answers by email.
		{"answers without a call", "Re: Order #48213", "Your order is with the courier and should arrive soon.", StaffReplyOther, "without asking"},
		{"acknowledges without asking", "Re: Order #48213", "Thanks, we received your email.", StaffReplyOther, "without asking"},
		{"long reply that ends with a call", "Re: Order #48213",
			strings.Repeat("Our warehouse team looked at your order and it left on Monday with the courier. ", 5) +
				"When can I call you?", StaffReplyOther, "at length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := StaffReplyInput{Subject: tt.subject, Text: tt.text, SentAt: tuesday10, Status: StatusOpen}
			got := ClassifyStaffReply(in)
			wantViolation := tt.want == StaffReplyResolution || tt.want == StaffReplyOther
			if got.Kind != tt.want || got.Violation != wantViolation {
				t.Fatalf("ClassifyStaffReply(%q) = %+v, want kind %s, violation %t", tt.text, got, tt.want, wantViolation)
			}
			if got.Reason == "" || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("ClassifyStaffReply(%q).Reason = %q, want one with %q", tt.text, got.Reason, tt.reason)
			}
		})
	}
}

// After a call attempt, or on a resolved case, no staff email is a
// violation, resolution content included; an attempt after the mail was
// sent does not count.
func TestClassifyStaffReplyAfterCall(t *testing.T) {
	t.Parallel()
	const refund = "We will refund the full amount today."
	tests := []struct {
		name          string
		status        Status
		sentAt, first time.Time
		want          StaffReplyKind
		violation     bool
	}{
		{"attempt before the mail", StatusCallAttempted, tuesday10, tuesday10.Add(-time.Hour), StaffReplyAfterCall, false},
		{"attempt at the same time", StatusCallAttempted, tuesday10, tuesday10, StaffReplyAfterCall, false},
		{"mail time unknown", StatusInConversation, time.Time{}, tuesday10, StaffReplyAfterCall, false},
		{"attempt only after the mail", StatusCallAttempted, tuesday10, tuesday10.Add(time.Hour), StaffReplyResolution, true},
		{"resolved, no attempt", StatusResolved, tuesday10, time.Time{}, StaffReplyCaseClosed, false},
		{"closed", StatusClosed, tuesday10, time.Time{}, StaffReplyCaseClosed, false},
		{"acknowledged, no attempt", StatusAcknowledged, tuesday10, time.Time{}, StaffReplyResolution, true},
		{"reopened, no attempt", StatusReopened, tuesday10, time.Time{}, StaffReplyResolution, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ClassifyStaffReply(StaffReplyInput{Subject: "Re: order", Text: refund, SentAt: tt.sentAt, Status: tt.status, FirstAttemptAt: tt.first})
			if got.Kind != tt.want || got.Violation != tt.violation || got.Reason == "" {
				t.Errorf("ClassifyStaffReply(status %s, sent %v, first attempt %v) = %+v, want kind %s, violation %t and a reason",
					tt.status, tt.sentAt, tt.first, got, tt.want, tt.violation)
			}
		})
	}
}

func TestHasPhraseAtWordStart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text, phrase string
		want         bool
	}{
		{"we refunded it", "refund", true},
		{"prerefund", "refund", false},
		{"a prerefund, then a refund", "refund", true},
		{"recall me", "call", false},
		{"20% off", "% off", true},
		{"über rückerstattung", "rückerstatt", true},
		{"", "call", false},
	}
	for _, tt := range tests {
		if got := hasPhrase(tt.text, tt.phrase); got != tt.want {
			t.Errorf("hasPhrase(%q, %q) = %t, want %t", tt.text, tt.phrase, got, tt.want)
		}
	}
}
