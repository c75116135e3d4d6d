// Package twilio is the gateway's adapter to Twilio's REST API 2010-04-01 and
// to the webhooks Twilio calls: it sends SMS and places calls, checks
// X-Twilio-Signature on incoming requests, parses inbound SMS, message
// status, recording, transcription and voice callbacks into typed values,
// and builds the TwiML the gateway answers with.
//
// Outbound requests go through twilio-go (github.com/twilio/twilio-go) with a
// client.BaseClient of ours that points the library at Config.APIBaseURL and
// carries the caller's context; see Client.SendSMS. Neither Messages nor
// Calls create has an idempotency key, so before sending or calling again
// after a lost answer a caller asks Client.FindSent or Client.FindCall
// whether Twilio took the request after all. Errors from Twilio become
// *Error, and IsPermanent tells a job queue whether retrying can help.
//
// A call-back is two legs: Client.PlaceCall rings the agent; when the agent
// answers, Twilio fetches the call's URL, which answers with BridgeTwiML: a
// whisper, then a <Dial> to the customer. To keep the agent's voicemail
// from being connected to the customer, the URL answers ScreenTwiML
// instead: the whisper and "press 1" in a <Gather>, whose action
// (ParseGather) answers BridgeTwiML without a whisper once Digits is "1";
// a voicemail presses nothing, and the call hangs up. The legs' status
// callbacks (ParseCallStatus), the <Dial action> (ParseDialAction) and the
// customer leg's answering-machine verdict (ParseAMD) report how it went.
// TwiML is built with twilio-go's twiml package, never by hand.
//
// References: https://www.twilio.com/docs/messaging/api/message-resource,
// https://www.twilio.com/docs/voice/api/call-resource,
// https://www.twilio.com/docs/voice/twiml/dial,
// https://www.twilio.com/docs/voice/twiml/gather,
// https://www.twilio.com/docs/voice/answering-machine-detection,
// https://www.twilio.com/docs/usage/webhooks/webhooks-security and
// https://www.twilio.com/docs/voice/twiml/record. Package twiliotest is a
// loopback stand-in for the REST API, for tests and the demo.
package twilio
