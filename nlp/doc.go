// Package nlp reads one inbound customer message (an email or a voicemail
// transcript) and says how the sender feels, how soon someone must call
// back, what kind of problem it is, which facts it carries and what the
// customer said, each score with the phrases and rules that produced it
// (POLICY P2, P4, P5 and P6).
//
// The package is pure: it imports nothing of the project but its own leaf
// package nlp/reply (the reply splitter, which the mail parser shares),
// reads only the fs.FS given to LoadConfig, never reads the clock (relative dates resolve
// against Input.Date) and keeps no package-level mutable state. Lexicons,
// phrase lists and weights live in YAML files (configs/nlp) so that they
// can be tuned without code; LoadConfig validates them all at start.
//
// Sentiment comes from VADER (github.com/jonreiter/govader), sentence by
// sentence, corrected by the markers lexicons miss (repeated contact,
// capitals, exclamation runs, sarcasm, profanity, problem statements).
// People and organisations come from prose's entity extractor
// (github.com/jdkato/prose/v2), whose models New loads once and which runs
// only on the few spans that look like names. Everything else is a single
// pass of a token trie over the text.
//
// Quoted history and signatures are cut from an email once, by nlp/reply,
// before Analyze: Input.Text is what the sender wrote now and
// Input.Quoted the history, read as context. SplitReply does the cut for
// callers holding raw text.
package nlp
