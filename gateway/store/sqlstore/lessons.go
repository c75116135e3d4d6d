package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/triage-gw/triage/gateway/store"
)

// lessonsMarker precedes the lessons-learned note in the text of a
// 'resolved' event ({"note": "resolved by Ann; lessons learned: ..."}), as
// routing's DONE command writes it.
const lessonsMarker = "; lessons learned: "

// CaseLessonList returns the lessons-learned notes of resolved cases,
// newest first, at most p.Limit (200 when 0 or less). Each 'resolved'
// event that carries a note is one lesson (a case resolved, reopened and
// resolved again may have two), whatever the case's status now; its time
// and actor are the event's. The note is the event data's "lessons" field
// when set, else the text after "; lessons learned: " in its "note" field;
// events without one are skipped. OwnerIDs nil does not filter; otherwise
// (even empty) only cases owned now by one of them are kept.
func (q *queries) CaseLessonList(ctx context.Context, p store.LessonListParams) ([]store.Lesson, error) {
	var f filter
	f.where = append(f.where, `e.kind = 'resolved'`,
		`(coalesce(e.data ->> 'lessons', '') <> '' OR e.data ->> 'note' LIKE '%`+lessonsMarker+`_%')`)
	if p.OwnerIDs != nil {
		if len(p.OwnerIDs) == 0 {
			return nil, nil
		}
		f.where = append(f.where, `c.owner_id IN (`+placeholders(len(f.args)+1, len(p.OwnerIDs))+`)`)
		for _, id := range p.OwnerIDs {
			f.args = append(f.args, id)
		}
	}
	limit := p.Limit
	if limit <= 0 {
		limit = 200
	}
	f.args = append(f.args, limit)
	rows, err := q.c.Query(ctx, `
		SELECT e.case_id, c.owner_id, c.category, c.subject, e.data ->> 'lessons', e.data ->> 'note',
			e.actor, e.occurred_at
		FROM case_events e JOIN cases c ON c.id = e.case_id`+f.sql()+`
		ORDER BY e.occurred_at DESC, e.id DESC
		LIMIT $`+strconv.Itoa(len(f.args)), f.args...)
	if err != nil {
		return nil, fmt.Errorf("case lesson list: %w", err)
	}
	defer rows.Close()
	var out []store.Lesson
	for rows.Next() {
		var l store.Lesson
		var lessons, note *string
		if err := rows.Scan(&l.CaseID, idDest{&l.OwnerID}, &l.Category, &l.Subject, &lessons, &note,
			&l.Actor, timeDest{&l.ResolvedAt}); err != nil {
			return nil, fmt.Errorf("case lesson list: %w", err)
		}
		if l.Note = lessonNote(lessons, note); l.Note != "" {
			out = append(out, l)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("case lesson list: %w", err)
	}
	return out, nil
}

// lessonNote is the lessons-learned note of a 'resolved' event whose data
// has the fields lessons and note (nil when absent).
func lessonNote(lessons, note *string) string {
	if lessons != nil && strings.TrimSpace(*lessons) != "" {
		return strings.TrimSpace(*lessons)
	}
	if note == nil {
		return ""
	}
	_, after, _ := strings.Cut(*note, lessonsMarker)
	return strings.TrimSpace(after)
}
