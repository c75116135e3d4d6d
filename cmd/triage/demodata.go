package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/triage-gw/triage/channels/twilio/twiliotest"
	"github.com/triage-gw/triage/gateway/config"
)

// demoStaff is the demo company's team: Lee and Tom report to Anna, who
// reports to Dan. Lee owns cases from unknown senders.
var demoStaff = []config.Staff{
	{Name: "Lee Park", Email: "lee@demo.example", Phone: "+16175550101", Role: "agent", Manager: "anna@demo.example",
		TimeZone: "America/New_York", Hours: "Mon-Fri 09:00-17:00", Aliases: []string{"Lee"}},
	{Name: "Tom Baker", Email: "tom@demo.example", Phone: "+16175550102", Role: "agent", Manager: "anna@demo.example",
		TimeZone: "America/New_York", Hours: "Mon-Fri 09:00-17:00", Aliases: []string{"Tom"}},
	{Name: "Anna Kowalski", Email: "anna@demo.example", Phone: "+16175550103", Role: "manager", Manager: "dan@demo.example",
		TimeZone: "America/New_York", Hours: "Mon-Fri 08:00-18:00", Aliases: []string{"Anna"}},
	{Name: "Dan Reyes", Email: "dan@demo.example", Phone: "+16175550104", Role: "director",
		TimeZone: "America/Chicago", Hours: "Mon-Fri 08:00-17:00"},
}

// demoCustomers is the demo's customers file.
const demoCustomers = `
- {ref: C-100, name: Ravi Patel, company: Patel Print Shop, tier: standard, account_value: 25, owner: lee@demo.example, emails: [ravi@patelprint.example], phones: ["+16175550177"]}
- {ref: C-200, name: Jane Doe, company: Acme Manufacturing, tier: key, account_value: 250000, owner: tom@demo.example, emails: [jane.doe@acme.example], phones: ["+16175550188"]}
- {ref: C-300, name: Maria Garcia, company: Garcia Dental, tier: standard, account_value: 4800, owner: tom@demo.example, emails: [maria@garciadental.example]}
- {ref: C-400, name: Ken Okafor, company: Okafor Logistics, tier: standard, account_value: 12000, owner: lee@demo.example, emails: [ken@okafor.example]}
- {ref: C-500, name: Sophie Martin, company: Martin Bakery, tier: standard, account_value: 900, owner: lee@demo.example, emails: [sophie@martinbakery.example]}
`

// demoCallBacks are the call-backs the demo's stand-in plays an agent
// for: when the owner's first SMS about the customer arrives, the owner
// replies CALL; the stand-in rings them, plays the whisper and dials the
// customer, who answers as scripted; after a conversation the owner
// replies DONE with what was done.
var demoCallBacks = []demoCallBack{
	{customer: "Jane Doe", customerPhone: "+16175550188", ownerPhone: "+16175550102", owner: "Tom",
		answer: "answer", talk: 3 * time.Minute, done: "sent the right 6205 bearings by courier; relabelled the bin the picker used"},
	{customer: "Ravi Patel", customerPhone: "+16175550177", ownerPhone: "+16175550101", owner: "Lee", answer: "machine"},
}

// demoCallers leave voicemail on the support line: an angry one with a
// transcript, and one whose transcription fails (it still opens a case).
var demoCallers = []twiliotest.Caller{
	{From: "+16175550166", Speaks: 38 * time.Second,
		Transcript: "hi this is sam from harbor cafe our espresso machine you serviced yesterday is leaking water all over the floor " +
			"again we open in two hours and we cannot run the shop like this please call me back as soon as possible"},
	{From: "+16175550167", Speaks: 9 * time.Second, TranscriptionFails: true},
}

// demoCallBack is one scripted call-back.
type demoCallBack struct {
	customer, customerPhone, ownerPhone, owner string
	answer                                     string // how the customer's phone answers: answer or machine
	talk                                       time.Duration
	done                                       string // the DONE note after a conversation
}

// demoMail is one email of the demo mailbox.
type demoMail struct {
	from, subject, body string
	headers             []string // extra header lines
	ago                 time.Duration
	complaint           bool // the demo expects a case (or an update) for it
}

// demoMails are the dozen emails the demo delivers, written for it.
var demoMails = []demoMail{
	{from: "Ravi Patel <ravi@patelprint.example>", subject: "Order #48213 - THIRD time asking", ago: 50 * time.Minute, complaint: true,
		body: "This is the third time I am writing about order #48213. It was promised for last Tuesday and it is STILL not here!!\n" +
			"I have customers waiting for their prints and I can't ship anything without that paper. This is unacceptable.\n" +
			"If it isn't here by Friday I will take my business elsewhere.\n\nRavi"},
	{from: "Jane Doe <jane.doe@acme.example>", subject: "URGENT: wrong parts delivered, production line stopped", ago: 45 * time.Minute, complaint: true,
		headers: []string{"Cc: CFO Mark Liu <mark.liu@acme.example>"},
		body: "Hello,\n\nThe pallet delivered this morning for PO ORD-2026-0042 contains the wrong bearings (6204 instead of 6205).\n" +
			"Our production line has stopped until we get the right ones. We need the replacement by tomorrow morning at the latest.\n" +
			"I have copied our CFO. Please call me ASAP on +1 617 555 0188.\n\nJane Doe\nOperations, Acme Manufacturing"},
	{from: "Ken Okafor <ken@okafor.example>", subject: "Phone line still down", ago: 40 * time.Minute, complaint: true,
		body: "Hi team,\n\nWe'd appreciate an update: the phone line you installed has been down since Monday and our customers cannot reach us to book deliveries.\n" +
			"Could someone look into it today?\n\nKind regards,\nKen"},
	{from: "Sophie Martin <sophie@martinbakery.example>", subject: "Thank you!", ago: 35 * time.Minute,
		body: "Just wanted to say thank you to Lee for sorting out our oven order so quickly last week. Great service, we'll be back!\n\nSophie"},
	{from: "Tom Baker <tom@demo.example>", subject: "Automatic reply: Order #48213", ago: 33 * time.Minute,
		headers: []string{"Auto-Submitted: auto-replied", "X-Autoreply: yes"},
		body:    "I am out of the office until Monday with limited access to email. For urgent matters please contact Anna Kowalski."},
	{from: "Priya Nair <priya.nair@mail.example>", subject: "Holiday opening hours?", ago: 30 * time.Minute,
		body: "Hello, could you tell me your opening hours between Christmas and New Year? Thanks, Priya"},
	{from: "Maria Garcia <maria@garciadental.example>", subject: "Charged twice on invoice INV-10442", ago: 25 * time.Minute, complaint: true,
		body: "Hello,\n\nOur card was charged $1,249.00 twice for invoice INV-10442 (on March 3 and again on March 4).\n" +
			"Please refund the duplicate charge. We are a small practice and this overcharge hurts our cash flow.\n\nMaria Garcia"},
	{from: "Maria Garcia <maria@garciadental.example>", subject: "Your technician", ago: 20 * time.Minute, complaint: true,
		body: "I also have to say that your rep Tom Baker was rude to me on the phone yesterday when I asked about the double charge.\n" +
			"He hung up on me. I have never been treated like that by a supplier.\n\nMaria"},
	{from: "Chris Ellis <chris.ellis@mail.example>", subject: "Wrong item in my order", ago: 15 * time.Minute, complaint: true,
		body: "I ordered the blue jacket in size M (order 77120) and received a red one in XL. I need the right one before my trip on Saturday.\nChris"},
	{from: "Supplies Weekly <news@supplies-weekly.example>", subject: "This week's deals on shop supplies", ago: 10 * time.Minute,
		headers: []string{"List-Id: Supplies Weekly <weekly.supplies-weekly.example>", "List-Unsubscribe: <mailto:unsubscribe@supplies-weekly.example>", "Precedence: bulk"},
		body:    "Save 20% on printer paper this week only. Click to shop now."},
	{from: "Ravi Patel <ravi@patelprint.example>", subject: "Re: Order #48213 - THIRD time asking", ago: 5 * time.Minute, complaint: true,
		body: "Still nothing. Nobody has called me back. Thanks a lot for nothing.\n\n> This is the third time I am writing about order #48213."},
	{from: "Ken Okafor <ken@okafor.example>", subject: "New billing address", ago: 2 * time.Minute,
		body: "Hello, please note our new billing address from next month: 12 Harbour Road, Portsmouth. No action needed otherwise. Thanks, Ken"},
}

// raw renders m as an RFC 5322 message dated ago before now.
func (m demoMail) raw(i int, now time.Time) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: Demo Support <support@demo.example>\r\n", m.from)
	fmt.Fprintf(&b, "Subject: %s\r\nDate: %s\r\n", m.subject, now.Add(-m.ago).Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <demo-%02d-%d@demo.example>\r\n", i, now.Unix())
	for _, h := range m.headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(m.body, "\n", "\r\n") + "\r\n")
	return []byte(b.String())
}
