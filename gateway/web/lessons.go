package web

import (
	"fmt"
	"net/http"

	"github.com/triage-gw/triage/gateway/store"
)

// lessonsPage lists the lessons learned of resolved cases (POLICY P8).
type lessonsPage struct {
	page
	Rows []lessonRow
}

// lessonRow is one resolved case's lessons-learned note.
type lessonRow struct {
	CaseID                                       int64
	Subject, Category, Owner, Note, By, Resolved string
}

// lessonsShow lists the lessons learned of the cases the viewer sees:
// their own, their chain's for managers, everyone's for admin and QA.
func (s *Server) lessonsShow(w http.ResponseWriter, r *http.Request, v *viewer) {
	lessons, err := s.store.CaseLessonList(r.Context(), store.LessonListParams{OwnerIDs: v.ownerIDs()})
	if err != nil {
		s.internalError(w, r, v, fmt.Errorf("load lessons learned: %w", err))
		return
	}
	p := lessonsPage{page: s.basePage(w, r, v, "Lessons learned", "lessons")}
	for _, l := range lessons {
		if !v.seesStaff(l.OwnerID) {
			continue
		}
		p.Rows = append(p.Rows, lessonRow{CaseID: l.CaseID, Subject: l.Subject, Category: humanize(l.Category),
			Owner: v.name(l.OwnerID), Note: l.Note, By: v.actorName(l.Actor), Resolved: v.clock.format(l.ResolvedAt)})
	}
	s.render(w, r, http.StatusOK, "lessons", p)
}
