package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"unicode/utf8"
)

// maxFlashBytes bounds a flash message (a cookie holds about 4 KB).
const maxFlashBytes = 1000

// flash is the one-time message shown after a POST-redirect-GET: what an
// action did, or why it was refused.
type flash struct {
	Error   bool
	Message string
}

// setFlash stores f in a signed cookie for the next page.
func (s *Server) setFlash(w http.ResponseWriter, f flash) {
	msg := f.Message
	if len(msg) > maxFlashBytes {
		msg = strings.ToValidUTF8(msg[:maxFlashBytes], "") + "…"
	}
	kind := "i"
	if f.Error {
		kind = "e"
	}
	payload := []byte(kind + msg)
	value := base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(s.flashMAC(payload))
	s.setCookie(w, flashCookie, value, 300)
}

// takeFlash returns the pending flash message, if its signature holds,
// and clears it.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	value := s.cookieValue(r, flashCookie)
	if value == "" {
		return nil
	}
	s.setCookie(w, flashCookie, "", -1)
	enc, sig, ok := strings.Cut(value, ".")
	if !ok {
		return nil
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(enc)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil || len(payload) == 0 || !hmac.Equal(mac, s.flashMAC(payload)) || !utf8.Valid(payload) {
		return nil
	}
	return &flash{Error: payload[0] == 'e', Message: string(payload[1:])}
}

// flashMAC signs a flash payload, so that nobody else can put words on
// the dashboard.
func (s *Server) flashMAC(payload []byte) []byte {
	m := hmac.New(sha256.New, s.flashKey)
	m.Write(payload)
	return m.Sum(nil)[:16]
}

// redirectFlash sets a flash message and redirects (303) to path.
func (s *Server) redirectFlash(w http.ResponseWriter, r *http.Request, path string, f flash) {
	s.setFlash(w, f)
	http.Redirect(w, r, path, http.StatusSeeOther)
}
