package sqlstore

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The helpers below are the only shapes in which values cross the SQL seam.
// Arguments: idArg, timeArg, textArg, jsonArg, stringsArg, blobArg. Scan
// destinations: idDest, timeDest, stringsDest, plus plain *string, *int64,
// *float64, *bool and *[]byte, which both engines' drivers fill directly.

// TimeLayout is the text form of a time where the engine stores times as
// text (SQLite): UTC, fixed width, to the microsecond, so that text order is
// time order.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// idArg stores id 0 as NULL (no row referenced).
func idArg(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// timeArg stores t in UTC, truncated to the microsecond (the finer of the
// engines' common precision), and the zero time as NULL.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond)
}

// textArg stores "" as NULL; for "leave as it is" in coalesce updates.
func textArg(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonArg stores a JSON document as text, and an empty one as NULL.
func jsonArg(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// blobArg stores nil bytes as an empty blob: raw columns are NOT NULL.
func blobArg(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// stringsArg stores a string slice as a JSON array.
func stringsArg(s []string) string { return listArg(s) }

// idsArg stores a list of ids as a JSON array.
func idsArg(ids []int64) string { return listArg(ids) }

// listArg stores a slice as a JSON array ("[]" when empty).
func listArg[T string | int64](s []T) string {
	if len(s) == 0 {
		return "[]"
	}
	b, err := json.Marshal(s)
	if err != nil { // a slice of strings or integers always marshals
		panic(fmt.Sprintf("marshal list: %v", err))
	}
	return string(b)
}

// normalizeTime returns t as the store returns it: UTC to the microsecond.
func normalizeTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// idDest scans a nullable id; NULL becomes 0.
type idDest struct{ p *int64 }

func (d idDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.p = 0
	case int64:
		*d.p = v
	case int32:
		*d.p = int64(v)
	default:
		return fmt.Errorf("scan id: unexpected %T", src)
	}
	return nil
}

// timeDest scans a nullable time stored as timestamptz or as TimeLayout
// text; NULL becomes the zero time, anything else UTC.
type timeDest struct{ p *time.Time }

func (d timeDest) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*d.p = time.Time{}
		return nil
	case time.Time:
		*d.p = v.UTC()
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("scan time: unexpected %T", src)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("scan time %q: %w", s, err)
	}
	*d.p = t.UTC()
	return nil
}

// stringsDest scans a JSON array of strings; an empty array becomes nil.
type stringsDest = listDest[string]

// idsDest scans a JSON array of ids; an empty array becomes nil.
type idsDest = listDest[int64]

// listDest scans a JSON array; an empty array becomes nil.
type listDest[T string | int64] struct{ p *[]T }

func (d listDest[T]) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*d.p = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("scan list: unexpected %T", src)
	}
	var out []T
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("scan list: %w", err)
	}
	if len(out) == 0 {
		out = nil
	}
	*d.p = out
	return nil
}

// placeholders returns "$from, $from+1, ..." for n arguments.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}
