// Package twilio is the gateway's adapter to Twilio's REST API 2010-04-01 and
// to the webhooks Twilio calls: it sends SMS, checks X-Twilio-Signature on
// incoming requests, and parses inbound SMS, message status, recording and
// transcription callbacks into typed values.
//
// Outbound requests go through twilio-go (github.com/twilio/twilio-go) with a
// client.BaseClient of ours that points the library at Config.APIBaseURL and
// carries the caller's context; see Client.SendSMS. Messages create has no
// idempotency key, so before sending again after a lost answer a caller asks
// Client.FindSent whether Twilio took the message after all. Errors from
// Twilio become *Error, and IsPermanent tells a job queue whether retrying
// can help.
//
// References: https://www.twilio.com/docs/messaging/api/message-resource,
// https://www.twilio.com/docs/usage/webhooks/webhooks-security and
// https://www.twilio.com/docs/voice/twiml/record. Package twiliotest is a
// loopback stand-in for the REST API, for tests and the demo.
package twilio
