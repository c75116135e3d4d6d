package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

// Slot offer.
const (
	slotLength       = 30 * time.Minute
	slotLead         = 15 * time.Minute // the first slot starts at least this far ahead
	slotBusyMargin   = 30 * time.Minute // no slot this close to another case's due time
	slotBusinessDays = 3
	slotSearchDays   = 14
	maxBusyCases     = 500
	// fallbackHours are offered when the owner's hours do not parse.
	fallbackHours = "Mon-Fri 09:00-17:00"
)

// slot token layout: case id and expiry (8 bytes each, big-endian), then
// the HMAC-SHA256 of both under the link key.
const (
	slotPayloadLen = 16
	slotTokenLen   = slotPayloadLen + sha256.Size
)

// errSlotExpired is a genuine link past its expiry.
var errSlotExpired = errors.New("slot link expired")

// errSlotInvalid is a token that was not made by this gateway.
var errSlotInvalid = errors.New("slot link invalid")

// SlotLink returns the path "/slot/<token>" of a signed link with which
// the customer of caseID picks a time to be called; it works for the
// configured SlotLinkTTL after now.
func (s *Server) SlotLink(caseID int64, now time.Time) string {
	b := make([]byte, slotPayloadLen, slotTokenLen)
	binary.BigEndian.PutUint64(b[0:8], uint64(caseID))
	binary.BigEndian.PutUint64(b[8:16], uint64(now.Add(s.slotTTL).Unix()))
	b = append(b, s.slotMAC(b)...)
	return "/slot/" + base64.RawURLEncoding.EncodeToString(b)
}

// slotMAC signs a slot token's payload.
func (s *Server) slotMAC(payload []byte) []byte {
	m := hmac.New(sha256.New, s.linkKey)
	m.Write([]byte("slot:"))
	m.Write(payload)
	return m.Sum(nil)
}

// parseSlotToken checks a token's signature (in constant time) and then
// its expiry, and returns its case id.
func (s *Server) parseSlotToken(token string, now time.Time) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != slotTokenLen {
		return 0, errSlotInvalid
	}
	payload, mac := b[:slotPayloadLen], b[slotPayloadLen:]
	if !hmac.Equal(mac, s.slotMAC(payload)) {
		return 0, errSlotInvalid
	}
	caseID := int64(binary.BigEndian.Uint64(payload[0:8]))
	expires := time.Unix(int64(binary.BigEndian.Uint64(payload[8:16])), 0)
	if caseID <= 0 {
		return 0, errSlotInvalid
	}
	if !now.Before(expires) {
		return 0, errSlotExpired
	}
	return caseID, nil
}

// slotPage offers the customer times to be called. It shows nothing of
// the case but the subject and the first name of who will call.
type slotPage struct {
	page
	Token   string
	Caller  string
	Subject string
	Zone    string
	Days    []slotDay
}

// slotDay is one business day's free slots.
type slotDay struct {
	Label string
	Slots []slotOption
}

// slotOption is one free slot.
type slotOption struct {
	ID, Value, Label string
}

// slotCase loads the case of a slot link and its owner; ok=false once
// the refusal is written.
func (s *Server) slotCase(w http.ResponseWriter, r *http.Request) (store.Case, store.Staff, bool) {
	ctx := r.Context()
	id, err := s.parseSlotToken(r.PathValue("token"), s.now())
	switch {
	case errors.Is(err, errSlotExpired):
		s.fail(w, r, nil, http.StatusGone, "This link has expired. Please reply to our email or call us, and we will find a time.")
		return store.Case{}, store.Staff{}, false
	case err != nil:
		s.log.Warn("slot link refused", "err", err)
		s.fail(w, r, nil, http.StatusNotFound, "This link is not valid.")
		return store.Case{}, store.Staff{}, false
	}
	c, err := s.store.CaseGetByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, nil, http.StatusNotFound, "This link is not valid.")
		return store.Case{}, store.Staff{}, false
	}
	if err != nil {
		s.internalError(w, r, nil, fmt.Errorf("slot link: %w", err))
		return store.Case{}, store.Staff{}, false
	}
	if !store.CaseActive(c.Status) {
		s.fail(w, r, nil, http.StatusGone, "This link is no longer needed: the matter is closed. Thank you.")
		return store.Case{}, store.Staff{}, false
	}
	owner, err := s.store.StaffGetByID(ctx, c.OwnerID)
	if err != nil {
		s.internalError(w, r, nil, fmt.Errorf("slot link: owner of case %d: %w", c.ID, err))
		return store.Case{}, store.Staff{}, false
	}
	return c, owner, true
}

// slotShow offers the free slots.
func (s *Server) slotShow(w http.ResponseWriter, r *http.Request) {
	c, owner, ok := s.slotCase(w, r)
	if !ok {
		return
	}
	slots, hours, err := s.freeSlots(r.Context(), c, owner, s.now())
	if err != nil {
		s.internalError(w, r, nil, err)
		return
	}
	loc := hours.Location()
	p := slotPage{Token: r.PathValue("token"), Caller: firstName(owner.Name), Subject: c.Subject, Zone: loc.String()}
	p.Title = "Choose a time for our call"
	p.Flash = s.takeFlash(w, r)
	for i, t := range slots {
		lt := t.In(loc)
		label := lt.Format("Monday 2 January")
		if len(p.Days) == 0 || p.Days[len(p.Days)-1].Label != label {
			p.Days = append(p.Days, slotDay{Label: label})
		}
		d := &p.Days[len(p.Days)-1]
		d.Slots = append(d.Slots, slotOption{ID: "slot-" + strconv.Itoa(i), Value: t.UTC().Format(time.RFC3339), Label: lt.Format("15:04")})
	}
	s.render(w, r, http.StatusOK, "slot", p)
}

// slotPick takes the customer's choice, if it is still free.
func (s *Server) slotPick(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, owner, ok := s.slotCase(w, r)
	if !ok {
		return
	}
	back := "/slot/" + r.PathValue("token")
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, nil, http.StatusBadRequest, "The form could not be read.")
		return
	}
	at, err := time.Parse(time.RFC3339, r.PostForm.Get("slot"))
	if err != nil {
		s.redirectFlash(w, r, back, flash{Error: true, Message: "Please choose one of the times."})
		return
	}
	slots, hours, err := s.freeSlots(ctx, c, owner, s.now())
	if err != nil {
		s.internalError(w, r, nil, err)
		return
	}
	if !slices.ContainsFunc(slots, at.Equal) {
		s.redirectFlash(w, r, back, flash{Error: true, Message: "That time is no longer free. Please choose another."})
		return
	}
	if err := s.actions.PickSlot(ctx, c.ID, at); err != nil {
		s.log.Error("pick slot", "case_id", c.ID, "err", err)
		s.redirectFlash(w, r, back, flash{Error: true, Message: "Your choice could not be saved just now. Please try again."})
		return
	}
	s.log.Info("customer picked a call-back time", "case_id", c.ID, "at", at)
	lt := at.In(hours.Location())
	s.redirectFlash(w, r, back, flash{Message: fmt.Sprintf("Thank you. %s will call you on %s at %s (%s).",
		firstName(owner.Name), lt.Format("Monday 2 January"), lt.Format("15:04"), hours.Location())})
}

// freeSlots lists the 30-minute slots within the owner's business hours
// on the next business days (today included when slots are left), skipping
// those near the due time of the owner's other active cases.
func (s *Server) freeSlots(ctx context.Context, c store.Case, owner store.Staff, now time.Time) ([]time.Time, routing.Hours, error) {
	loc := loadLocation(owner.TimeZone)
	hours, err := routing.ParseHours(owner.Hours, loc)
	if err != nil {
		s.log.Warn("owner's business hours do not parse: offering the default", "staff_id", owner.ID, "err", err)
		hours, _ = routing.ParseHours(fallbackHours, loc)
	}
	cases, err := s.store.CaseList(ctx, store.CaseListParams{OwnerID: owner.ID, Limit: maxBusyCases,
		Status: store.ActiveStatuses()})
	if err != nil {
		return nil, hours, fmt.Errorf("load cases of staff %d: %w", owner.ID, err)
	}
	var busy []time.Time
	for _, o := range cases {
		if o.ID != c.ID && store.CaseActive(o.Status) && !o.DueAt.IsZero() {
			busy = append(busy, o.DueAt)
		}
	}
	return slotsFrom(hours, busy, now), hours, nil
}

// slotsFrom is freeSlots' pure part.
func slotsFrom(hours routing.Hours, busy []time.Time, now time.Time) []time.Time {
	loc := hours.Location()
	t := nextHalfHour(now.Add(slotLead).In(loc))
	var out []time.Time
	days, lastDay := 0, ""
	end := now.AddDate(0, 0, slotSearchDays)
	for ; t.Before(end); t = t.Add(slotLength) {
		if !hours.IsOpen(t) || !hours.IsOpen(t.Add(slotLength-time.Minute)) {
			continue
		}
		if day := t.Format("2006-01-02"); day != lastDay {
			if days == slotBusinessDays {
				break
			}
			days, lastDay = days+1, day
		}
		near := slices.ContainsFunc(busy, func(d time.Time) bool {
			diff := t.Sub(d)
			return diff > -slotBusyMargin && diff < slotBusyMargin
		})
		if !near {
			out = append(out, t)
		}
	}
	return out
}

// nextHalfHour rounds t up to the next :00 or :30 on its wall clock.
func nextHalfHour(t time.Time) time.Time {
	base := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, t.Location())
	for _, c := range []time.Time{base, base.Add(30 * time.Minute), base.Add(time.Hour)} {
		if !c.Before(t) {
			return c
		}
	}
	return base.Add(time.Hour)
}

// firstName is the first word of a name, all a customer is told of who
// will call.
func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return "We"
}
