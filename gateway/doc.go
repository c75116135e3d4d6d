// Package gateway is the application: it wires the channels (IMAP, Twilio),
// the NLP stage, the routing policy and the store, runs the durable jobs
// that carry every side effect, and serves HTTP (health checks and Twilio's
// webhooks: staff SMS commands, call-backs, voicemail). It owns the clock:
// the core packages are handed the time.
//
// The flow of one email: the IMAP poller hands the raw message to Deliver,
// which parses it (quarantining what cannot be read), scores it with
// nlp.Analyze, asks routing.Decide for a plan and writes the message, its
// assessment, the case, its timeline events, the call-back task, the SMS
// notifications and their jobs in one transaction. Workers then send the
// SMS and fire escalation timers, each outcome again an event on the case.
//
// The loop closes by phone: a staff member's SMS reply (a command) reaches
// the webhook, routing.Act decides, and a CALL becomes a durable job that
// bridges the staff member's phone to the customer's; the calls' status
// callbacks go through routing.CallEnded. A voicemail on the support line
// becomes an inbound message like an email, pushed by Twilio's callbacks
// and pulled by VoicePuller for whatever they missed.
package gateway
