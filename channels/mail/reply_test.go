package mail

import (
	"strings"
	"testing"
)

func TestSplitReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, subject, text string
		want                split
	}{
		{
			name: "french attribution",
			text: "Toujours rien reçu.\n\nLe lun. 3 mars 2025 à 10:00, Acme <s@acme.test> a écrit :\n> Votre colis arrive.",
			want: split{newText: "Toujours rien reçu.", quoted: "Le lun. 3 mars 2025 à 10:00, Acme <s@acme.test> a écrit :\n> Votre colis arrive."},
		},
		{
			name: "german attribution wrapped",
			text: "Das ist inakzeptabel.\n\nAm 03.03.2025 um 10:00 schrieb Acme Support\n<s@acme.test>:\n\n> Ihr Paket kommt.",
			want: split{newText: "Das ist inakzeptabel.", quoted: "Am 03.03.2025 um 10:00 schrieb Acme Support\n<s@acme.test>:\n\n> Ihr Paket kommt."},
		},
		{
			name: "spanish attribution",
			text: "Sigo esperando.\n\nEl lun, 3 mar 2025 a las 10:00, Acme (<s@acme.test>) escribió:\n> Llega mañana.",
			want: split{newText: "Sigo esperando.", quoted: "El lun, 3 mar 2025 a las 10:00, Acme (<s@acme.test>) escribió:\n> Llega mañana."},
		},
		{
			name: "attribution over unquoted history",
			text: "No.\n\nOn Mon, Mar 3, 2025 at 10:00 AM Acme <s@acme.test> wrote:\nDid it arrive?\nAcme",
			want: split{newText: "No.", quoted: "On Mon, Mar 3, 2025 at 10:00 AM Acme <s@acme.test> wrote:\nDid it arrive?\nAcme"},
		},
		{
			name: "outlook rule and header block",
			text: "Fix it.\n\n________________________________\nFrom: Acme <s@acme.test>\nSent: 03 March 2025 10:00\nTo: Me\nSubject: Bill\n\nYour bill.",
			want: split{newText: "Fix it.", quoted: "________________________________\nFrom: Acme <s@acme.test>\nSent: 03 March 2025 10:00\nTo: Me\nSubject: Bill\n\nYour bill."},
		},
		{
			name: "german outlook header block",
			text: "Bitte rufen Sie an.\n\nVon: Acme <s@acme.test>\nGesendet: Montag, 3. März 2025 10:00\nAn: Ich\nBetreff: Rechnung\n\nIhre Rechnung.",
			want: split{newText: "Bitte rufen Sie an.", quoted: "Von: Acme <s@acme.test>\nGesendet: Montag, 3. März 2025 10:00\nAn: Ich\nBetreff: Rechnung\n\nIhre Rechnung."},
		},
		{
			name: "from line alone is text",
			text: "From: the warehouse, nothing arrived.\nPlease call.",
			want: split{newText: "From: the warehouse, nothing arrived.\nPlease call."},
		},
		{
			name: "only quotes",
			text: "On Mon, Mar 3, 2025, Acme <s@acme.test> wrote:\n> Hello",
			want: split{quoted: "On Mon, Mar 3, 2025, Acme <s@acme.test> wrote:\n> Hello"},
		},
		{
			name: "quote without attribution",
			text: "> Your order shipped.\nIt did not.",
			want: split{newText: "It did not.", quoted: "> Your order shipped."},
		},
		{
			name: "colon line above quote that is no attribution",
			text: "Here is my problem:\n> quoted",
			want: split{newText: "Here is my problem:", quoted: "> quoted"},
		},
		{
			name: "signature",
			text: "Call me.\n-- \nAnn Lee\n555-0100",
			want: split{newText: "Call me.", signature: "Ann Lee\n555-0100"},
		},
		{
			name: "long block after dashes is no signature",
			text: "Intro\n--\n" + strings.Repeat("line\n", 25),
			want: split{newText: "Intro\n--\n" + strings.TrimSpace(strings.Repeat("line\n", 25))},
		},
		{
			name: "short forward note keeps forwarded text",
			text: "See below.\n\nBegin forwarded message:\n\n> From: Jo <jo@example.com>\n> Subject: Late\n> Date: 3 March 2025\n>\n> Where is my order?",
			want: split{
				newText:   "See below.\n\nWhere is my order?",
				quoted:    "Begin forwarded message:\n\nFrom: Jo <jo@example.com>\nSubject: Late\nDate: 3 March 2025",
				forwarded: true,
			},
		},
		{
			name: "long forward note keeps forwarded text quoted",
			text: strings.Repeat("My own long note. ", 20) + "\n\n-------- Forwarded Message --------\nSubject: x\n\nOld text.",
			want: split{
				newText:   strings.TrimSpace(strings.Repeat("My own long note. ", 20)),
				quoted:    "-------- Forwarded Message --------\nSubject: x\n\nOld text.",
				forwarded: true,
			},
		},
		{
			name:    "forward subject turns original message into forward",
			subject: "WG: Beschwerde",
			text:    "-----Ursprüngliche Nachricht-----\nVon: Kunde <k@example.de>\nGesendet: Montag\nAn: Uns\nBetreff: Beschwerde\n\nAlles kaputt.",
			want: split{
				newText:   "Alles kaputt.",
				quoted:    "-----Ursprüngliche Nachricht-----\nVon: Kunde <k@example.de>\nGesendet: Montag\nAn: Uns\nBetreff: Beschwerde",
				forwarded: true,
			},
		},
		{
			name: "header block with nothing above is kept",
			text: "From: Jo Bloggs\nTo: Acme Ltd\nDate: 3 March 2025\nSubject: Formal complaint\n\nDear Sir, my boiler leaks.",
			want: split{
				newText:   "Dear Sir, my boiler leaks.",
				quoted:    "From: Jo Bloggs\nTo: Acme Ltd\nDate: 3 March 2025\nSubject: Formal complaint",
				forwarded: true,
			},
		},
		{
			name: "forwarded message with its own quoted reply",
			text: "---------- Forwarded message ---------\nFrom: Jo <jo@example.com>\n\nStill broken!\n\nOn Sun, Mar 2, 2025 at 9:00 AM Acme <s@acme.test> wrote:\n> Fixed.",
			want: split{
				newText:   "Still broken!",
				quoted:    "---------- Forwarded message ---------\nFrom: Jo <jo@example.com>\n\nOn Sun, Mar 2, 2025 at 9:00 AM Acme <s@acme.test> wrote:\n> Fixed.",
				forwarded: true,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := splitReply(tt.text, tt.subject)
			if got != tt.want {
				t.Errorf("splitReply(%q, %q) =\n  newText %q\n  quoted %q\n  signature %q\n  forwarded %v\nwant\n  newText %q\n  quoted %q\n  signature %q\n  forwarded %v",
					tt.text, tt.subject, got.newText, got.quoted, got.signature, got.forwarded,
					tt.want.newText, tt.want.quoted, tt.want.signature, tt.want.forwarded)
			}
		})
	}
}
