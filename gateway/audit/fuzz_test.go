package audit

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// fuzzRows builds rows from fuzz input: each 11 bytes make one case, each
// time byte an offset from base (0: the zero time), so rows share the
// period, owners and keys and land in groups and weeks together.
func fuzzRows(base time.Time, data []byte, key string) []store.CaseAudit {
	tm := func(b byte) time.Time {
		if b == 0 {
			return time.Time{}
		}
		return base.Add(time.Duration(int8(b)) * time.Duration(b) * 7 * time.Minute)
	}
	var rows []store.CaseAudit
	for i := 0; i+11 <= len(data); i += 11 {
		d := data[i : i+11]
		keys := []string{"", key, key + "x", "critical"}
		rows = append(rows, store.CaseAudit{
			CaseID: int64(i), OwnerID: int64(d[0] % 4), Channel: keys[d[0]%4], Priority: keys[d[1]%4],
			Category: keys[d[2]%4], ReceivedAt: tm(d[1]), OpenedAt: tm(d[2]), DueAt: tm(d[3]),
			FirstNotifiedAt: tm(d[4]), FirstCallAt: tm(d[5]), FirstConversationAt: tm(d[6]),
			ResolvedAt: tm(d[7]), FollowUpDueAt: tm(d[8]), FollowUpDoneAt: tm(d[9]),
			Escalations: int(int8(d[10])), Breaches: int(d[10] % 3), Violations: int(d[10] % 2),
			Contacts: int(int8(d[10])) / 16,
		})
	}
	return rows
}

func checkInvariants(t *testing.T, name string, g Group) {
	t.Helper()
	for sname, s := range map[string]Stat{"notify": g.Notify, "first call": g.FirstCall,
		"conversation": g.Conversation, "resolution": g.Resolution, "ingest lag": g.IngestLag} {
		if s.Count+s.Pending != g.Cases || s.Met+s.Missed > g.Cases || s.Met < 0 || s.Missed < 0 {
			t.Errorf("%s %s = %+v over %d cases: counts do not add up", name, sname, s, g.Cases)
		}
		if s.Median < 0 || s.Median > s.P90 || s.P90 > s.Max {
			t.Errorf("%s %s = %+v: want 0 ≤ median ≤ p90 ≤ max", name, sname, s)
		}
		if s.MetPct != -1 && (s.MetPct < 0 || s.MetPct > 100 || math.IsNaN(s.MetPct)) {
			t.Errorf("%s %s MetPct = %v, want -1 or 0…100", name, sname, s.MetPct)
		}
	}
	if g.Breaches > g.Cases || g.FollowUpsOnTime > g.FollowUpsDone || g.FollowUpsDone > g.FollowUps ||
		g.Escalations < 0 || g.Violations < 0 || g.RepeatContacts < 0 {
		t.Errorf("%s = %+v: counts out of range", name, g)
	}
}

func FuzzCompute(f *testing.F) {
	t0s := t0.Unix()
	f.Add(t0s, []byte("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b"), t0s, t0s+14*86400, t0s+14*86400, "billing", uint8(1))
	f.Add(t0s, []byte("\x81\x7f\x00\x10\xf0\x00\x22\x33\x44\x00\xff\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05"),
		int64(0), int64(0), t0s, "<script>alert(1)</script>", uint8(5))
	f.Add(int64(math.MaxInt64), []byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
		int64(math.MinInt64), int64(math.MaxInt64), int64(-62135596800), "\xff\x00", uint8(2))
	f.Add(int64(-62135596800), []byte("\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"), int64(1), int64(0), int64(0), "", uint8(3))
	f.Fuzz(func(t *testing.T, base int64, data []byte, from, to, now int64, key string, by uint8) {
		unix := func(s int64) time.Time {
			if s == 0 {
				return time.Time{}
			}
			return time.Unix(s, 0).UTC()
		}
		rows := fuzzRows(unix(base), data, key)
		p := Params{
			From: unix(from), To: unix(to), Now: unix(now),
			By: Dimensions()[int(by)%len(Dimensions())],
			Targets: Targets{Notify: time.Duration(by) * time.Minute, Conversation: 4 * time.Hour,
				Resolution: time.Duration(int8(by)) * time.Hour},
			People: People{Names: map[int64]string{1: key}, Teams: map[int64]string{2: key, 3: "\x00"}},
		}
		r := Compute(rows, p)

		checkInvariants(t, "total", r.Total)
		sum := 0
		for _, g := range r.Groups {
			checkInvariants(t, "group "+g.Key, g)
			sum += g.Cases
		}
		if p.By != ByNone && sum != r.Total.Cases {
			t.Errorf("groups hold %d cases, total %d", sum, r.Total.Cases)
		}
		hist := 0
		for _, b := range r.CallHistogram {
			hist += b.Count
		}
		if hist != r.Total.Cases {
			t.Errorf("histogram holds %d cases, total %d", hist, r.Total.Cases)
		}
		weeks := 0
		for _, w := range r.Weekly {
			weeks += w.Cases
		}
		if weeks > r.Total.Cases || len(r.Weekly) > MaxWeeks {
			t.Errorf("%d weeks hold %d cases, total %d", len(r.Weekly), weeks, r.Total.Cases)
		}

		for name, write := range map[string]func(io.Writer) error{
			"WriteTable":    func(w io.Writer) error { return WriteTable(w, r) },
			"WriteCSV":      func(w io.Writer) error { return WriteCSV(w, r) },
			"WriteCasesCSV": func(w io.Writer) error { return WriteCasesCSV(w, rows, p) },
		} {
			if err := write(io.Discard); err != nil {
				t.Errorf("%s() = %v, want nil", name, err)
			}
		}
		var buf bytes.Buffer
		if err := WriteJSON(&buf, r, rows); err != nil || !json.Valid(buf.Bytes()) {
			t.Errorf("WriteJSON() = %v, valid %v, want nil and valid JSON", err, json.Valid(buf.Bytes()))
		}
		for name, svg := range charts(r) {
			parseSVG(t, name, svg)
		}
	})
}
