package reply_test

import (
	"strings"
	"testing"

	"github.com/triage-gw/triage/nlp/reply"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, subject, text string
		want                reply.Parts
	}{
		{
			name: "french attribution",
			text: "Toujours rien reçu.\n\nLe lun. 3 mars 2025 à 10:00, Acme <s@acme.test> a écrit :\n> Votre colis arrive.",
			want: reply.Parts{NewText: "Toujours rien reçu.", Quoted: "Le lun. 3 mars 2025 à 10:00, Acme <s@acme.test> a écrit :\n> Votre colis arrive."},
		},
		{
			name: "german attribution wrapped",
			text: "Das ist inakzeptabel.\n\nAm 03.03.2025 um 10:00 schrieb Acme Support\n<s@acme.test>:\n\n> Ihr Paket kommt.",
			want: reply.Parts{NewText: "Das ist inakzeptabel.", Quoted: "Am 03.03.2025 um 10:00 schrieb Acme Support\n<s@acme.test>:\n\n> Ihr Paket kommt."},
		},
		{
			name: "spanish attribution",
			text: "Sigo esperando.\n\nEl lun, 3 mar 2025 a las 10:00, Acme (<s@acme.test>) escribió:\n> Llega mañana.",
			want: reply.Parts{NewText: "Sigo esperando.", Quoted: "El lun, 3 mar 2025 a las 10:00, Acme (<s@acme.test>) escribió:\n> Llega mañana."},
		},
		{
			name: "attribution over unquoted history",
			text: "No.\n\nOn Mon, Mar 3, 2025 at 10:00 AM Acme <s@acme.test> wrote:\nDid it arrive?\nAcme",
			want: reply.Parts{NewText: "No.", Quoted: "On Mon, Mar 3, 2025 at 10:00 AM Acme <s@acme.test> wrote:\nDid it arrive?\nAcme"},
		},
		{
			name: "outlook rule and header block",
			text: "Fix it.\n\n________________________________\nFrom: Acme <s@acme.test>\nSent: 03 March 2025 10:00\nTo: Me\nSubject: Bill\n\nYour bill.",
			want: reply.Parts{NewText: "Fix it.", Quoted: "________________________________\nFrom: Acme <s@acme.test>\nSent: 03 March 2025 10:00\nTo: Me\nSubject: Bill\n\nYour bill."},
		},
		{
			name: "german outlook header block",
			text: "Bitte rufen Sie an.\n\nVon: Acme <s@acme.test>\nGesendet: Montag, 3. März 2025 10:00\nAn: Ich\nBetreff: Rechnung\n\nIhre Rechnung.",
			want: reply.Parts{NewText: "Bitte rufen Sie an.", Quoted: "Von: Acme <s@acme.test>\nGesendet: Montag, 3. März 2025 10:00\nAn: Ich\nBetreff: Rechnung\n\nIhre Rechnung."},
		},
		{
			name: "from line alone is text",
			text: "From: the warehouse, nothing arrived.\nPlease call.",
			want: reply.Parts{NewText: "From: the warehouse, nothing arrived.\nPlease call."},
		},
		{
			name: "only quotes",
			text: "On Mon, Mar 3, 2025, Acme <s@acme.test> wrote:\n> Hello",
			want: reply.Parts{Quoted: "On Mon, Mar 3, 2025, Acme <s@acme.test> wrote:\n> Hello"},
		},
		{
			name: "quote without attribution",
			text: "> Your order shipped.\nIt did not.",
			want: reply.Parts{NewText: "It did not.", Quoted: "> Your order shipped."},
		},
		{
			name: "colon line above quote that is no attribution",
			text: "Here is my problem:\n> quoted",
			want: reply.Parts{NewText: "Here is my problem:", Quoted: "> quoted"},
		},
		{
			name: "signature",
			text: "Call me.\n-- \nAnn Lee\n555-0100",
			want: reply.Parts{NewText: "Call me.", Signature: "Ann Lee\n555-0100"},
		},
		{
			name: "long block after dashes is no signature",
			text: "Intro\n--\n" + strings.Repeat("line\n", 25),
			want: reply.Parts{NewText: "Intro\n--\n" + strings.TrimSpace(strings.Repeat("line\n", 25))},
		},
		{
			name: "short forward note keeps forwarded text",
			text: "See below.\n\nBegin forwarded message:\n\n> From: Jo <jo@example.com>\n> Subject: Late\n> Date: 3 March 2025\n>\n> Where is my order?",
			want: reply.Parts{
				NewText:   "See below.\n\nWhere is my order?",
				Quoted:    "Begin forwarded message:\n\nFrom: Jo <jo@example.com>\nSubject: Late\nDate: 3 March 2025",
				Forwarded: true,
			},
		},
		{
			name: "long forward note keeps forwarded text quoted",
			text: strings.Repeat("My own long note. ", 20) + "\n\n-------- Forwarded Message --------\nSubject: x\n\nOld text.",
			want: reply.Parts{
				NewText:   strings.TrimSpace(strings.Repeat("My own long note. ", 20)),
				Quoted:    "-------- Forwarded Message --------\nSubject: x\n\nOld text.",
				Forwarded: true,
			},
		},
		{
			name:    "forward subject turns original message into forward",
			subject: "WG: Beschwerde",
			text:    "-----Ursprüngliche Nachricht-----\nVon: Kunde <k@example.de>\nGesendet: Montag\nAn: Uns\nBetreff: Beschwerde\n\nAlles kaputt.",
			want: reply.Parts{
				NewText:   "Alles kaputt.",
				Quoted:    "-----Ursprüngliche Nachricht-----\nVon: Kunde <k@example.de>\nGesendet: Montag\nAn: Uns\nBetreff: Beschwerde",
				Forwarded: true,
			},
		},
		{
			name: "header block with nothing above is kept",
			text: "From: Jo Bloggs\nTo: Acme Ltd\nDate: 3 March 2025\nSubject: Formal complaint\n\nDear Sir, my boiler leaks.",
			want: reply.Parts{
				NewText:   "Dear Sir, my boiler leaks.",
				Quoted:    "From: Jo Bloggs\nTo: Acme Ltd\nDate: 3 March 2025\nSubject: Formal complaint",
				Forwarded: true,
			},
		},
		{
			name: "forwarded message with its own quoted reply",
			text: "---------- Forwarded message ---------\nFrom: Jo <jo@example.com>\n\nStill broken!\n\nOn Sun, Mar 2, 2025 at 9:00 AM Acme <s@acme.test> wrote:\n> Fixed.",
			want: reply.Parts{
				NewText:   "Still broken!",
				Quoted:    "---------- Forwarded message ---------\nFrom: Jo <jo@example.com>\n\nOn Sun, Mar 2, 2025 at 9:00 AM Acme <s@acme.test> wrote:\n> Fixed.",
				Forwarded: true,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := reply.Split(tt.text, tt.subject)
			if got != tt.want {
				t.Errorf("Split(%q, %q) =\n  NewText %q\n  Quoted %q\n  Signature %q\n  Forwarded %v\nwant\n  NewText %q\n  Quoted %q\n  Signature %q\n  Forwarded %v",
					tt.text, tt.subject, got.NewText, got.Quoted, got.Signature, got.Forwarded,
					tt.want.NewText, tt.want.Quoted, tt.want.Signature, tt.want.Forwarded)
			}
		})
	}
}
