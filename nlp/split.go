package nlp

import (
	"strings"

	"github.com/triage-gw/triage/nlp/reply"
)

// maxSplitBytes bounds the text SplitReply splits: splitting costs a few
// microseconds per line.
const maxSplitBytes = 256 << 10

// SplitReply returns in with the raw text of an email cut the way the mail
// parser cuts every message the gateway ingests (reply.Split): Text keeps
// what the sender wrote now, Quoted gets the quoted history, and the
// signature is dropped. When the sender wrote nothing new (the text is all
// quotes), Text stays whole and Quoted empty, as the gateway reads such a
// message. Other channels (a voicemail transcript, an SMS), and an input
// whose Quoted is set already, come back as they are.
//
// It is for callers holding raw text: a labeled message, a text file
// scored from the command line. The gateway has the parser's split. Like
// the parser, it splits at most the first 256 KB of the text (Analyze
// reads far less).
func SplitReply(in Input) Input {
	if in.Channel != ChannelEmail || in.Quoted != "" {
		return in
	}
	text := head(strings.ReplaceAll(in.Text, "\r\n", "\n"), maxSplitBytes)
	p := reply.Split(text, in.Subject)
	if strings.TrimSpace(p.NewText) == "" {
		return in
	}
	in.Text, in.Quoted = p.NewText, p.Quoted
	return in
}
