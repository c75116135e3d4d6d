package routing

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want Command
	}{
		{"ACK 12", Command{Kind: CommandAck, CaseID: 12}},
		{"  ack   12  ", Command{Kind: CommandAck, CaseID: 12}},
		{"Ack #12.", Command{Kind: CommandAck, CaseID: 12}},
		{"ack case 12", Command{Kind: CommandAck, CaseID: 12}},
		{"ACK Case #12!", Command{Kind: CommandAck, CaseID: 12}},
		{"ACK12", Command{Kind: CommandAck, CaseID: 12}},
		{"ack", Command{Kind: CommandAck}},
		{"ACK.", Command{Kind: CommandAck}},
		{"Acknowledged 7", Command{Kind: CommandAck, CaseID: 7}},
		{"CALL 12", Command{Kind: CommandCall, CaseID: 12}},
		{"call", Command{Kind: CommandCall}},
		{"DONE 12 Refunded the shipping; carrier lost it.", Command{Kind: CommandDone, CaseID: 12, Note: "Refunded the shipping; carrier lost it."}},
		{"done 12: refunded", Command{Kind: CommandDone, CaseID: 12, Note: "refunded"}},
		{"DONE 12.", Command{Kind: CommandDone, CaseID: 12}},
		{"DONE #12 - ok", Command{Kind: CommandDone, CaseID: 12, Note: "ok"}},
		{"done", Command{Kind: CommandDone}},
		{"DONE replaced the item", Command{Kind: CommandDone, Note: "replaced the item"}},
		{"DONE case closed, refunded", Command{Kind: CommandDone, Note: "case closed, refunded"}},
		{"DONE 12 line one\nline two", Command{Kind: CommandDone, CaseID: 12, Note: "line one\nline two"}},
		{"NOANSWER 12", Command{Kind: CommandNoAnswer, CaseID: 12}},
		{"no answer 12", Command{Kind: CommandNoAnswer, CaseID: 12}},
		{"No-Answer #12", Command{Kind: CommandNoAnswer, CaseID: 12}},
		{"no_answer", Command{Kind: CommandNoAnswer}},
		{"SNOOZE 12 30m", Command{Kind: CommandSnooze, CaseID: 12, Snooze: 30 * time.Minute}},
		{"snooze 12 2h", Command{Kind: CommandSnooze, CaseID: 12, Snooze: 2 * time.Hour}},
		{"snooze 12 45min", Command{Kind: CommandSnooze, CaseID: 12, Snooze: 45 * time.Minute}},
		{"snooze 12 45 minutes.", Command{Kind: CommandSnooze, CaseID: 12, Snooze: 45 * time.Minute}},
		{"snooze 12 1h30m", Command{Kind: CommandSnooze, CaseID: 12, Snooze: 90 * time.Minute}},
		{"snooze 12 For 1.5 hours", Command{Kind: CommandSnooze, CaseID: 12, Snooze: 90 * time.Minute}},
		{"snooze 12 20", Command{Kind: CommandSnooze, CaseID: 12, Snooze: 20 * time.Minute}},
		{"SNOOZE 30m", Command{Kind: CommandSnooze, Snooze: 30 * time.Minute}},
		{"SNOOZE 1.5h", Command{Kind: CommandSnooze, Snooze: 90 * time.Minute}},
		{"SNOOZE 12", Command{Kind: CommandSnooze, CaseID: 12, Snooze: DefaultSnooze}},
		{"snooze", Command{Kind: CommandSnooze, Snooze: DefaultSnooze}},
		{"snooze #12 9h", Command{Kind: CommandSnooze, CaseID: 12, Snooze: 9 * time.Hour}}, // bounds are Act's
		{"UNHAPPY 12", Command{Kind: CommandUnhappy, CaseID: 12}},
		{"unhappy 12 wants a manager", Command{Kind: CommandUnhappy, CaseID: 12, Note: "wants a manager"}},
		{"HELP", Command{Kind: CommandHelp}},
		{"help me please", Command{Kind: CommandHelp}},
		{"info", Command{Kind: CommandHelp}},
	}
	for _, kw := range []string{"STOP", "stopall", "Unsubscribe", "CANCEL", "end", "QUIT", "revoke", "OPTOUT", "stop."} {
		tests = append(tests, struct {
			text string
			want Command
		}{kw, Command{Kind: CommandStop}})
	}
	for _, kw := range []string{"START", "yes", "Unstop", " start "} {
		tests = append(tests, struct {
			text string
			want Command
		}{kw, Command{Kind: CommandStart}})
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.text)
		if err != nil || got != tt.want {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v, nil", tt.text, got, err, tt.want)
		}
	}
}

func TestParseCommandErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ text, reason string }{
		{"", "Empty message. Reply HELP for the list of commands."},
		{"   \n", "Empty message. Reply HELP for the list of commands."},
		{"FOO 12", `Unknown command "FOO". Reply HELP for the list.`},
		{"12 ACK", `Unknown command "12". Reply HELP for the list.`},
		{"CLOSE 12", `Unknown command "CLOSE". Reply HELP for the list.`},
		{"ACK 12 on it", "ACK takes just a case number, like ACK 12."},
		{"CALL 12 at 3pm", "CALL takes just a case number, like CALL 12."},
		{"ACK #abc", "That is not a case number. Try ACK 12."},
		{"ACK 0", "There is no case 0. Try ACK 12."},
		{"ACK 1234567890123456789", "That case number is too long. Try ACK 12."},
		{"SNOOZE 12 soon", "SNOOZE needs a duration like 30m or 2h, e.g. SNOOZE 12 30m."},
		{"SNOOZE 12 0m", "SNOOZE needs a duration like 30m or 2h, e.g. SNOOZE 12 30m."},
		{"SNOOZE 30 days", "SNOOZE needs a duration like 30m or 2h, e.g. SNOOZE 30 30m."},
		{"STOP sending these", "To stop texts, reply STOP on its own. Reply HELP for the list of commands."},
		{"yes I called", `Unknown command "yes". Reply HELP for the list.`},
		{"ACKé", `Unknown command "ACKé". Reply HELP for the list.`},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.text)
		var ce *CommandError
		if !errors.As(err, &ce) || ce.Reason != tt.reason {
			t.Errorf("ParseCommand(%q) = %+v, %v; want *CommandError %q", tt.text, got, err, tt.reason)
		}
	}
}

func TestParseCommandCapsTheNote(t *testing.T) {
	t.Parallel()
	got, err := ParseCommand("DONE 3 " + strings.Repeat("é", 2000))
	if err != nil || len(got.Note) > MaxNoteLength || !utf8.ValidString(got.Note) || got.Note == "" {
		t.Errorf("ParseCommand(long DONE) = note of %d bytes (valid %v), %v; want a valid note of at most %d bytes",
			len(got.Note), utf8.ValidString(got.Note), err, MaxNoteLength)
	}
	got, err = ParseCommand("DONE 3 bad \xff\xfe bytes\x00here")
	if err != nil || !utf8.ValidString(got.Note) || strings.ContainsRune(got.Note, 0) {
		t.Errorf("ParseCommand(DONE with invalid bytes) = %q, %v; want valid UTF-8 without control characters", got.Note, err)
	}
}

func TestParseCommandHugeInput(t *testing.T) {
	t.Parallel()
	_, err := ParseCommand(strings.Repeat("A", 1<<22))
	var ce *CommandError
	if !errors.As(err, &ce) || len(ce.Reason) > 80 {
		t.Errorf("ParseCommand(4 MiB of A) = %v, want a short *CommandError", err)
	}
	got, err := ParseCommand("DONE 5 " + strings.Repeat("x", 1<<22))
	if err != nil || got.CaseID != 5 || len(got.Note) > MaxNoteLength {
		t.Errorf("ParseCommand(DONE with 4 MiB note) = case %d, note %d bytes, %v; want case 5, note capped", got.CaseID, len(got.Note), err)
	}
}

func TestHelpTextFitsAndListsEveryCommand(t *testing.T) {
	t.Parallel()
	h := HelpText()
	if len(h) > MaxSMSLength {
		t.Errorf("len(HelpText()) = %d, want <= %d", len(h), MaxSMSLength)
	}
	// Every line advertises a command that parses.
	for _, line := range strings.Split(h, "\n")[1:] {
		word, _, _ := strings.Cut(line, " ")
		if _, err := ParseCommand(word); err != nil {
			t.Errorf("HelpText advertises %q, which ParseCommand rejects: %v", word, err)
		}
	}
	for _, kw := range []string{"ACK", "CALL", "NOANSWER", "DONE", "SNOOZE", "UNHAPPY", "HELP", "STOP", "START"} {
		if !strings.Contains(h, kw) {
			t.Errorf("HelpText() = %q, want it to mention %s", h, kw)
		}
	}
}

func TestOptOutReply(t *testing.T) {
	t.Parallel()
	if got := OptOutReply(CommandStop); got != "" {
		t.Errorf("OptOutReply(stop) = %q, want \"\" (the carrier confirms)", got)
	}
	if got := OptOutReply(CommandStart); got == "" || len(got) > MaxSMSLength {
		t.Errorf("OptOutReply(start) = %q, want a short confirmation", got)
	}
	if got := OptOutReply(CommandHelp); got != HelpText() {
		t.Errorf("OptOutReply(help) = %q, want HelpText()", got)
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"ACK 12", "done #4 fixed it", "SNOOZE case 7 1h30m", "no answer", "STOP", "\xff\xfe", "snooze 9999999999999999h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := ParseCommand(text)
		if err != nil {
			var ce *CommandError
			if !errors.As(err, &ce) || ce.Reason == "" || len(ce.Reason) > MaxSMSLength || !utf8.ValidString(ce.Reason) {
				t.Fatalf("ParseCommand(%q) error = %v, want a *CommandError with a short valid reason", text, err)
			}
			return
		}
		if !cmd.Kind.Known() || cmd.CaseID < 0 || !utf8.ValidString(cmd.Note) || len(cmd.Note) > MaxNoteLength {
			t.Fatalf("ParseCommand(%q) = %+v: want a known kind, CaseID >= 0, a valid note of at most %d bytes", text, cmd, MaxNoteLength)
		}
		if cmd.Kind == CommandSnooze && cmd.Snooze < MinSnooze {
			t.Fatalf("ParseCommand(%q) = snooze %v, want at least %v", text, cmd.Snooze, MinSnooze)
		}
		if cmd.Kind != CommandSnooze && cmd.Snooze != 0 {
			t.Fatalf("ParseCommand(%q) = %+v: snooze set on a %s", text, cmd, cmd.Kind)
		}
	})
}
