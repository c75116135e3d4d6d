package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

// Limits of what the case forms accept.
const (
	maxNoteRunes   = 4000
	maxTalkMinutes = 600
	maxSIDLength   = 64
)

// caseAction carries out one of the case page's forms and redirects back
// to the case with what happened (POST-redirect-GET).
func (s *Server) caseAction(w http.ResponseWriter, r *http.Request, v *viewer) {
	ctx := r.Context()
	if v.readOnly {
		s.fail(w, r, v, http.StatusForbidden, "Your role may read cases but not change them.")
		return
	}
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r, v)
		return
	}
	action := r.PathValue("action")
	if !slices.Contains([]string{"note", "reassign", "call", "ack", "resolve", "unhappy"}, action) {
		s.notFound(w, r, v)
		return
	}
	c, _, ok := s.caseOr404(w, r, v, id)
	if !ok {
		return
	}
	f := s.doCaseAction(ctx, v, c, action, r)
	s.redirectFlash(w, r, "/cases/"+strconv.FormatInt(c.ID, 10), f)
}

// doCaseAction runs action on c and says how it went.
func (s *Server) doCaseAction(ctx context.Context, v *viewer, c store.Case, action string, r *http.Request) flash {
	form := r.PostForm
	note := strings.TrimSpace(form.Get("note"))
	if !utf8.ValidString(note) {
		return flash{Error: true, Message: "The note is not valid text."}
	}
	failed := func(err error) flash {
		s.log.Error("case action failed", "case_id", c.ID, "action", action, "staff_id", v.staff.ID, "err", err)
		return flash{Error: true, Message: "That could not be done just now; nothing was changed. Please try again."}
	}
	act := func(cmd routing.Command, done string) flash {
		if utf8.RuneCountInString(cmd.Note) > routing.MaxNoteLength {
			return flash{Error: true, Message: fmt.Sprintf("The note is too long: at most %d characters.", routing.MaxNoteLength)}
		}
		reply, refused, err := s.actions.Act(ctx, v.staff.ID, cmd)
		switch {
		case err != nil:
			return failed(err)
		case refused:
			return flash{Error: true, Message: "Refused: " + reply}
		case reply != "":
			return flash{Message: reply}
		}
		return flash{Message: done}
	}
	switch action {
	case "note":
		if note == "" {
			return flash{Error: true, Message: "Write a note first."}
		}
		if utf8.RuneCountInString(note) > maxNoteRunes {
			return flash{Error: true, Message: fmt.Sprintf("The note is too long: at most %d characters.", maxNoteRunes)}
		}
		if err := s.actions.AddNote(ctx, v.staff.ID, c.ID, note); err != nil {
			return failed(err)
		}
		return flash{Message: "Note added."}
	case "reassign":
		to, err := strconv.ParseInt(form.Get("to"), 10, 64)
		st, known := v.byID[to]
		if err != nil || !known || !st.Active {
			return flash{Error: true, Message: "Choose an active staff member to reassign the case to."}
		}
		refused, err := s.actions.Reassign(ctx, v.staff.ID, c.ID, to)
		if err != nil {
			return failed(err)
		}
		if refused != "" {
			return flash{Error: true, Message: "Refused: " + refused}
		}
		return flash{Message: "Case reassigned to " + st.Name + "."}
	case "call":
		outcome := form.Get("outcome")
		if !slices.Contains(callOutcomes, outcome) {
			return flash{Error: true, Message: "Choose how the call went."}
		}
		minutes := 0
		if m := strings.TrimSpace(form.Get("minutes")); m != "" {
			n, err := strconv.Atoi(m)
			if err != nil || n < 0 || n > maxTalkMinutes {
				return flash{Error: true, Message: fmt.Sprintf("Minutes talked must be a whole number from 0 to %d.", maxTalkMinutes)}
			}
			minutes = n
		}
		if outcome != "connected" {
			minutes = 0
		}
		if utf8.RuneCountInString(note) > routing.MaxNoteLength {
			return flash{Error: true, Message: fmt.Sprintf("The note is too long: at most %d characters.", routing.MaxNoteLength)}
		}
		reply, refused, err := s.actions.RecordCall(ctx, v.staff.ID, c.ID, outcome, time.Duration(minutes)*time.Minute, note)
		switch {
		case err != nil:
			return failed(err)
		case refused:
			return flash{Error: true, Message: "Refused: " + reply}
		case reply != "":
			return flash{Message: reply}
		}
		return flash{Message: "Call recorded."}
	case "ack":
		return act(routing.Command{Kind: routing.CommandAck, CaseID: c.ID}, "Acknowledged.")
	case "resolve":
		return act(routing.Command{Kind: routing.CommandDone, CaseID: c.ID, Note: note}, "Resolved.")
	case "unhappy":
		return act(routing.Command{Kind: routing.CommandUnhappy, CaseID: c.ID, Note: note}, "Recorded that the customer is still unhappy.")
	}
	return flash{Error: true, Message: "Unknown action."}
}

// recordingShow streams a voicemail recording of the case: only one that
// belongs to it, and only when recordings can be played.
func (s *Server) recordingShow(w http.ResponseWriter, r *http.Request, v *viewer) {
	ctx := r.Context()
	id, ok := pathID(r, "id")
	sid := r.PathValue("sid")
	if !ok || s.recordings == nil || !validSID(sid) {
		s.notFound(w, r, v)
		return
	}
	c, _, ok := s.caseOr404(w, r, v, id)
	if !ok {
		return
	}
	belongs, err := s.caseHasRecording(ctx, c.ID, sid)
	if err != nil {
		s.internalError(w, r, v, err)
		return
	}
	if !belongs {
		s.notFound(w, r, v)
		return
	}
	body, contentType, err := s.recordings.Recording(ctx, sid)
	if err != nil {
		s.log.Error("fetch recording", "case_id", c.ID, "recording_sid", sid, "err", err)
		s.fail(w, r, v, http.StatusBadGateway, "The recording could not be fetched just now.")
		return
	}
	defer body.Close()
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || !strings.HasPrefix(mt, "audio/") {
		contentType = "application/octet-stream"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "private, no-store")
	if _, err := io.Copy(w, body); err != nil {
		s.log.Warn("stream recording", "case_id", c.ID, "recording_sid", sid, "err", err)
	}
}

// caseHasRecording reports whether recording sid is a voicemail on case
// caseID: the external id of one of its voicemail messages, or named by
// one of its message_received events.
func (s *Server) caseHasRecording(ctx context.Context, caseID int64, sid string) (bool, error) {
	msgs, err := s.store.MessageListByCase(ctx, caseID)
	if err != nil {
		return false, fmt.Errorf("load messages of case %d: %w", caseID, err)
	}
	for _, m := range msgs {
		if m.Channel == store.ChannelVoicemail && m.ExternalID == sid {
			return true, nil
		}
	}
	events, err := s.store.CaseEventListKind(ctx, caseID, "message_received")
	if err != nil {
		return false, fmt.Errorf("load events of case %d: %w", caseID, err)
	}
	for _, e := range events {
		var d struct {
			Recording string `json:"recording_sid"`
		}
		if json.Unmarshal(e.Data, &d) == nil && d.Recording == sid {
			return true, nil
		}
	}
	return false, nil
}

// validSID reports whether sid looks like a provider id: letters and
// digits only, not too long.
func validSID(sid string) bool {
	if sid == "" || len(sid) > maxSIDLength {
		return false
	}
	for _, c := range sid {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
