package imaptest

import (
	"time"

	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// idleCheckInterval is how often an IDLE session looks for changes.
const idleCheckInterval = 20 * time.Millisecond

// session is an imapmemserver session for the server's one user, with an
// IDLE that cannot miss a change.
//
// imapmemserver's own IDLE sends the continuation before it starts to
// listen for changes, and does not look at what was queued meanwhile, so a
// message appended just as a client enters IDLE is reported only with the
// next change. Here IDLE checks the queue every idleCheckInterval instead,
// as a real server checks its mailbox.
type session struct {
	*imapmemserver.UserSession // nil until Login
	user                       *imapmemserver.User
}

// Login checks the credentials and opens the user's session.
func (s *session) Login(username, password string) error {
	if err := s.user.Login(username, password); err != nil {
		return err
	}
	s.UserSession = imapmemserver.NewUserSession(s.user)
	return nil
}

// Close ends the session.
func (s *session) Close() error {
	return s.UserSession.Close() // nil-safe
}

// Idle writes every change to the selected mailbox until stop is closed.
func (s *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	t := time.NewTicker(idleCheckInterval)
	defer t.Stop()
	for {
		if err := s.Poll(w, true); err != nil {
			return err
		}
		select {
		case <-stop:
			return nil
		case <-t.C:
		}
	}
}
