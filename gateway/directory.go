package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/nlp"
	"github.com/triage-gw/triage/routing"
)

// directory reads the staff into routing's and the analyser's terms.
func (g *Gateway) directory(ctx context.Context) (routing.Directory, []nlp.StaffName, error) {
	return g.directoryIn(ctx, g.store)
}

// directoryIn is directory read through q (inside a transaction, q must be
// the transaction: SQLite has one connection).
func (g *Gateway) directoryIn(ctx context.Context, q store.Querier) (routing.Directory, []nlp.StaffName, error) {
	staff, err := q.StaffList(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list staff: %w", err)
	}
	dir := make(routing.Directory, len(staff))
	names := make([]nlp.StaffName, 0, len(staff))
	for _, s := range staff {
		h, err := routing.ParseHours(s.Hours, g.zones.get(s.TimeZone))
		if err != nil {
			// Hours are validated when staff are loaded; a bad row in the
			// database must not stop intake: treat it as always open.
			g.log.Warn("staff hours unreadable: treated as always open", "staff_id", s.ID, "err", err)
		}
		dir[s.ID] = routing.Staff{ID: s.ID, Name: s.Name, Aliases: s.Aliases, Role: s.Role, ManagerID: s.ManagerID,
			Phone: s.Phone, Hours: h, Active: s.Active, SMSOptedOut: s.SMSOptedOut}
		names = append(names, nlp.StaffName{Name: s.Name, Aliases: s.Aliases})
	}
	return dir, names, nil
}

// zones loads each IANA time zone once: time.LoadLocation reads the zone
// database from disk, and the directory is read for every message.
type zones struct {
	mu   sync.Mutex
	byTZ map[string]*time.Location
	log  *slog.Logger
}

// get returns the zone named tz; an unknown name (validated away at start,
// but a database row can hold anything) is UTC, with a warning once.
func (z *zones) get(tz string) *time.Location {
	z.mu.Lock()
	defer z.mu.Unlock()
	if loc, ok := z.byTZ[tz]; ok {
		return loc
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		z.log.Warn("unknown staff time zone: treated as UTC", "time_zone", tz, "err", err)
		loc = time.UTC
	}
	if z.byTZ == nil {
		z.byTZ = map[string]*time.Location{}
	}
	z.byTZ[tz] = loc
	return loc
}
