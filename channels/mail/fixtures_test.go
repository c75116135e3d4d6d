package mail

// Expected texts of the fixtures in testdata, used by TestParseFixtures.
const (
	plainText = "Hello,\n\nMy order 4471 arrived today and the box was crushed. Two of the\n" +
		"glasses are broken.\n\nPlease call me back on 555-0100 before Friday.\n\nAnn"
	htmlText = "Hi team,\n\nI returned the chair on 1 March & still have no refund.\n" +
		"Tracking: parcel 123\n- Order: 5520\n- Amount: €89\n1. Returned\n2. Waiting\n\nThanks — Carla"
	latin1Text = "Bonjour,\n\nLa facture n° 77 est erronée : 150 EUR au lieu de 120.\n" +
		"Merci de vérifier très vite.\nLe colis est arrivé avec trois semaines de retard, ce qui est inacceptable."
	gmailQuote = "On Fri, Mar 7, 2025 at 4:02 PM Acme Support <support@acme.test>\nwrote:\n\n" +
		"> Dear customer,\n>\n> We will call you back within one business day.\n>\n> Acme Support"
	gmailHTMLQuote = "On Fri, Mar 7, 2025 at 4:02 PM Acme Support <support@acme.test> wrote:\n" +
		"> Dear customer,\n>\n> We will call you back."
	outlookNew = "You charged us twice for invoice 3310. I need this fixed today.\n\n" +
		"Frank Hill\nProcurement, Corp Ltd\nTel +44 20 7946 0000"
	outlookQuote = "-----Original Message-----\nFrom: Acme Billing <billing@acme.test>\n" +
		"Sent: Monday, March 10, 2025 5:00 PM\nTo: Frank Hill <frank.hill@corp.example>\n" +
		"Subject: Invoice 3310\n\nPlease find attached invoice 3310."
	appleNew = "The technician never showed up and nobody phoned to say he would be late. " +
		"I took the day off for this."
	appleQuote = "> On 12 Mar 2025, at 09:00, Acme Service <service@acme.test> wrote:\n>\n" +
		"> Your visit is confirmed for today between 10:00 and 12:00."
	interleavedText = "On Wed, Mar 12, 2025 at 3:00 PM, Acme Support <support@acme.test> wrote:\n" +
		"> 1. Which item was missing?\n\nThe blender.\n\n> 2. Was the outer box damaged?\n\n" +
		"No, it was sealed.\n\n> Regards, Acme"
	janeHeader = "---------- Forwarded message ---------\nFrom: Jane Roe <jane.roe@example.com>\n" +
		"Date: Thu, Mar 13, 2025 at 8:01 PM\nSubject: Absolutely furious about my delivery\nTo: <ivy.ng@acme.test>"
	janeBody = "My sofa was supposed to arrive on Monday. It is Thursday and nothing.\n" +
		"I want a refund or a call today.\n\nJane"
	miaHeader = "-----Original Message-----\nFrom: Mia Cole <mia@example.com>\n" +
		"Sent: Friday, March 14, 2025 6:00 PM\nTo: Leo Park <leo.park@acme.test>\nSubject: Broken washing machine"
	miaBody   = "Your engineer left my washing machine leaking all over the kitchen."
	kenHeader = "---------- Forwarded message ---------\nFrom: Ken Oak <ken@example.com>\n" +
		"Date: Thu, 13 Mar 2025 18:00:00 +0000\nSubject: Overcharged again\nTo: ivy.ng@acme.test"
	kenBody = "You charged my card 49.99 twice this month."
	dsnText = "This is the mail system at host mx.acme.test.\n\n" +
		"I'm sorry to have to inform you that your message could not\n" +
		"be delivered to one or more recipients.\n\n" +
		"<nobody@example.com>: host mx.example.com said: 550 5.1.1 User unknown"
)
