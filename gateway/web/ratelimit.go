package web

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// maxLimiterKeys bounds the limiter's memory: past it, entries whose
// failures are all older than the window are swept, then, if still full,
// arbitrary entries are dropped.
const maxLimiterKeys = 100_000

// loginLimiter counts failed logins per account (email) and per client
// address over a sliding window. After max failures in the window on
// either key, logins are refused until the oldest failure ages out. A
// success clears that account's failures, including those it left on the
// address's count, but not the address's failures for other accounts: a
// caller who owns one account cannot use it to reset the count while
// guessing at others.
type loginLimiter struct {
	max    int
	window time.Duration

	mu        sync.Mutex
	byAccount map[string][]time.Time
	byAddr    map[string][]addrFailure
	lastSweep time.Time
}

// addrFailure is one failed login from an address.
type addrFailure struct {
	at    time.Time
	email string
}

func newLoginLimiter(max int, window time.Duration) *loginLimiter {
	return &loginLimiter{max: max, window: window,
		byAccount: make(map[string][]time.Time), byAddr: make(map[string][]addrFailure)}
}

// retryAfter reports how long logins for email from addr must wait; 0
// means they may go ahead.
func (l *loginLimiter) retryAfter(now time.Time, email, addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := now.Add(-l.window)
	var wait time.Duration
	acc := recent(l.byAccount[email], cut, func(t time.Time) time.Time { return t })
	if len(acc) >= l.max {
		wait = max(wait, acc[len(acc)-l.max].Add(l.window).Sub(now))
	}
	ad := recent(l.byAddr[addr], cut, func(f addrFailure) time.Time { return f.at })
	if len(ad) >= l.max {
		wait = max(wait, ad[len(ad)-l.max].at.Add(l.window).Sub(now))
	}
	return wait
}

// fail records a failed login.
func (l *loginLimiter) fail(now time.Time, email, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	cut := now.Add(-l.window)
	acc := append(recent(l.byAccount[email], cut, func(t time.Time) time.Time { return t }), now)
	l.byAccount[email] = acc[max(0, len(acc)-l.max):]
	ad := append(recent(l.byAddr[addr], cut, func(f addrFailure) time.Time { return f.at }), addrFailure{at: now, email: email})
	l.byAddr[addr] = ad[max(0, len(ad)-l.max):]
}

// succeed clears email's failures, on its own count and on addr's.
func (l *loginLimiter) succeed(email, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.byAccount, email)
	var keep []addrFailure
	for _, f := range l.byAddr[addr] {
		if f.email != email {
			keep = append(keep, f)
		}
	}
	if len(keep) == 0 {
		delete(l.byAddr, addr)
	} else {
		l.byAddr[addr] = keep
	}
}

// sweep drops stale entries once a window, or at once when the maps are
// full; l.mu is held.
func (l *loginLimiter) sweep(now time.Time) {
	full := len(l.byAccount) >= maxLimiterKeys || len(l.byAddr) >= maxLimiterKeys
	if !full && now.Sub(l.lastSweep) < l.window {
		return
	}
	l.lastSweep = now
	cut := now.Add(-l.window)
	for k, ts := range l.byAccount {
		if len(ts) == 0 || !ts[len(ts)-1].After(cut) {
			delete(l.byAccount, k)
		}
	}
	for k, fs := range l.byAddr {
		if len(fs) == 0 || !fs[len(fs)-1].at.After(cut) {
			delete(l.byAddr, k)
		}
	}
	for k := range l.byAccount {
		if len(l.byAccount) < maxLimiterKeys {
			break
		}
		delete(l.byAccount, k)
	}
	for k := range l.byAddr {
		if len(l.byAddr) < maxLimiterKeys {
			break
		}
		delete(l.byAddr, k)
	}
}

// recent returns the entries of xs (oldest first) newer than cut.
func recent[T any](xs []T, cut time.Time, at func(T) time.Time) []T {
	i := 0
	for i < len(xs) && !at(xs[i]).After(cut) {
		i++
	}
	return xs[i:]
}

// clientAddr is the key of a request's client: its IP address, or the
// /64 network of an IPv6 address (one subscriber holds a whole /64).
func clientAddr(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.String()
		}
	}
	return ip.String()
}
