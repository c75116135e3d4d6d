// Package gateway is the application: it wires the channels (IMAP, Twilio,
// SMTP), the NLP stage, the routing policy and the store, runs the durable
// jobs that carry every side effect, and serves HTTP (health checks,
// webhooks, the dashboard). It owns the clock: the core packages are handed
// the time.
//
// The flow of one email: the IMAP poller hands the raw message to Deliver,
// which parses it (quarantining what cannot be read), scores it with
// nlp.Analyze, asks routing.Decide for a plan and writes the message, its
// assessment, the case, its timeline events, the call-back task, the SMS
// notifications and their jobs in one transaction. Workers then send the
// SMS and fire escalation timers, each outcome again an event on the case.
package gateway
