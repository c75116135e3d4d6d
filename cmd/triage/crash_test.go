package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/imap/imaptest"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
)

const (
	crashAccountSID = "AC0123456789abcdef0123456789abcdef"
	crashAuthToken  = "crashtestauthtoken0123"
	crashIMAPPass   = "crash-imap-pw"
	crashOwnerPhone = "+16175550102"
	crashJanePhone  = "+16175550150"
	// Secrets reach the child through the environment only.
	crashTokenEnv = "TRIAGE_CRASH_TEST_TWILIO_TOKEN"
	crashIMAPEnv  = "TRIAGE_CRASH_TEST_IMAP_PASSWORD"
)

// kill -9 between commit and call request places exactly one call: a
// CALL command commits the call row and its job; the process dies either
// with the request to Twilio in flight ("after the request") or before the
// job was even fetched ("before the request"); the next run places the call
// exactly once, finding it at Twilio in the first case.
func TestKillDuringCallPlacesExactlyOneCall(t *testing.T) {
	t.Parallel()

	t.Run("after the request", func(t *testing.T) {
		t.Parallel()
		r := newCrashRig(t)
		release := r.twilio.HoldNextCall()
		t.Cleanup(release)
		r.writeConfig(100 * time.Millisecond)

		first := r.start()
		caseID := r.ownerCase()
		r.sendCall(caseID)
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		if _, err := r.twilio.WaitCalls(ctx, 1); err != nil {
			r.fatalf("the CALL command's call never reached the stand-in: %v", err)
		}
		first.kill() // the create is held: its answer never reaches the gateway
		release()
		// The stand-in plays the call against the dead gateway; let it end
		// so that none of its webhooks reaches the next run.
		if _, err := r.twilio.WaitCallsEnded(ctx, 1); err != nil {
			r.fatalf("the held call's play never ended: %v", err)
		}
		held := r.parentCalls()
		if len(held) != 1 {
			r.fatalf("stand-in has %d calls before the restart, want the 1 held: %+v", len(held), held)
		}

		second := r.start()
		second.waitLog(45*time.Second, "call already placed by an earlier attempt")
		second.stop()

		r.checkOneCall(caseID, held[0].SID, true)
		if strings.Contains(second.logs.String(), "msg=\"call placed\"") {
			r.fatalf("the restarted gateway logged \"call placed\": it placed the call again")
		}
	})

	t.Run("before the request", func(t *testing.T) {
		t.Parallel()
		r := newCrashRig(t)
		r.writeConfig(100 * time.Millisecond)
		setup := r.start()
		caseID := r.ownerCase()
		setup.stop()

		// SQLite has no notifications: with a long poll interval the job
		// the CALL command commits is not fetched before the kill.
		r.writeConfig(30 * time.Second)
		first := r.start()
		// Let the job workers' first fetch, made as they start, pass: the
		// next one is 30s away. On a loaded machine the start takes a
		// while: wait for it, then leave the first fetch a margin.
		first.waitLog(30*time.Second, "River client started")
		time.Sleep(time.Second)
		r.sendCall(caseID)
		first.kill()
		if calls := r.twilio.Calls(); len(calls) != 0 {
			r.fatalf("a call reached the stand-in before the kill (%+v): the job was not held back", calls)
		}

		r.writeConfig(100 * time.Millisecond)
		second := r.start()
		second.waitLog(30*time.Second, "msg=\"call placed\"")
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		if _, err := r.twilio.WaitCalls(ctx, 1); err != nil {
			r.fatalf("the stand-in never saw the call: %v", err)
		}
		second.stop()

		calls := r.parentCalls()
		if len(calls) != 1 {
			r.fatalf("stand-in has %d calls, want exactly 1: %+v", len(calls), calls)
		}
		r.checkOneCall(caseID, calls[0].SID, false)
	})
}

// crashRig is one data dir, mailbox and Twilio stand-in, and the runs of
// the triage serve child process over them.
type crashRig struct {
	t       *testing.T
	dir     string
	cfgPath string
	addr    string
	mailbox *imaptest.Server
	twilio  *twiliotest.Server
	runs    []*crashChild
}

func newCrashRig(t *testing.T) *crashRig {
	t.Helper()
	mailbox, err := imaptest.Start(t.Context(), imaptest.ServerOptions{Username: "support@example.com", Password: crashIMAPPass})
	if err != nil {
		t.Fatalf("imaptest.Start() = %v", err)
	}
	t.Cleanup(func() { mailbox.Close() })
	tw := twiliotest.NewServer(crashAccountSID, crashAuthToken)
	t.Cleanup(tw.Close)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	dir := t.TempDir()
	customers := filepath.Join(dir, "customers.yaml")
	if err := os.WriteFile(customers, []byte(`
- {ref: C-1, name: Jane Doe, company: Acme, tier: standard, account_value: 25, owner: tom@example.com, emails: [jane@acme.example], phones: ["`+crashJanePhone+`"]}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	raw := fmt.Sprintf("From: Jane Doe <jane@acme.example>\r\nTo: support@example.com\r\nSubject: Order #48213 - third time\r\nDate: %s\r\nMessage-ID: <crash-1@example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		time.Now().Format(time.RFC1123Z),
		"This is the THIRD time I write about order #48213. It is still not here and it is unacceptable!! "+
			"Our production line has stopped. If it is not fixed by tomorrow morning we will cancel the contract.")
	if err := mailbox.Append(t.Context(), "INBOX", []byte(raw), time.Now()); err != nil {
		t.Fatalf("Append() = %v", err)
	}
	return &crashRig{t: t, dir: dir, cfgPath: filepath.Join(dir, "gateway.yaml"), addr: addr, mailbox: mailbox, twilio: tw}
}

// writeConfig (re)writes the child's configuration.
func (r *crashRig) writeConfig(jobPoll time.Duration) {
	r.t.Helper()
	cfg := fmt.Sprintf(`data_dir: %q
http:
  addr: %s
  public_url: http://%s
  shutdown_timeout: 5s
imap:
  enabled: true
  addr: %s
  username: support@example.com
  password: "${%s}"
  security: none
  poll_interval: 1s
twilio:
  enabled: true
  account_sid: %s
  auth_token: "${%s}"
  from: "+16175550199"
  api_base_url: %s
policy:
  default_owner: tom@example.com
jobs:
  poll_interval: %s
  rescue_after: 2s
staff:
  - name: Tom Baker
    email: tom@example.com
    phone: "%s"
    role: agent
    manager: anna@example.com
    time_zone: UTC
  - name: Anna Kowalski
    email: anna@example.com
    phone: "+16175550103"
    role: manager
    time_zone: UTC
customers_file: customers.yaml
`, r.dir, r.addr, r.addr, r.mailbox.Addr, crashIMAPEnv, crashAccountSID, crashTokenEnv, r.twilio.URL(), jobPoll, crashOwnerPhone)
	if err := os.WriteFile(r.cfgPath, []byte(cfg), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// crashChild is one run of `triage serve`.
type crashChild struct {
	r    *crashRig
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
	err  error // cmd.Wait's, once done is closed
}

// start runs `triage serve` on the rig's config and waits until it serves
// HTTP.
func (r *crashRig) start() *crashChild {
	r.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"TRIAGE_TEST_RUN_MAIN=serve -config "+r.cfgPath,
		crashTokenEnv+"="+crashAuthToken,
		crashIMAPEnv+"="+crashIMAPPass)
	c := &crashChild{r: r, cmd: cmd, logs: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.logs, c.logs
	if err := cmd.Start(); err != nil {
		r.fatalf("start serve: %v", err)
	}
	r.runs = append(r.runs, c)
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	r.t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = cmd.Process.Kill()
			<-c.done
		}
	})
	c.waitLog(30*time.Second, "http listening")
	c.waitLog(10*time.Second, "River client started")
	return c
}

// waitLog waits until the child's log contains want, failing if it exits
// first or d passes.
func (c *crashChild) waitLog(d time.Duration, want string) {
	c.r.t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(c.logs.String(), want) {
		select {
		case <-c.done:
			if strings.Contains(c.logs.String(), want) {
				return
			}
			c.r.fatalf("serve exited (%v) before logging %q", c.err, want)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.r.fatalf("serve did not log %q within %v", want, d)
		}
	}
}

// kill sends SIGKILL and reaps the child.
func (c *crashChild) kill() {
	c.r.t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		c.r.fatalf("kill serve: %v", err)
	}
	<-c.done
}

// stop sends SIGTERM and expects a clean exit.
func (c *crashChild) stop() {
	c.r.t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		c.r.fatalf("SIGTERM serve: %v", err)
	}
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		c.r.fatalf("serve did not exit within 20s of SIGTERM")
	}
	if c.err != nil {
		c.r.fatalf("serve after SIGTERM = %v, want exit 0", c.err)
	}
}

// fatalf fails the test with the logs of every run.
func (r *crashRig) fatalf(format string, args ...any) {
	r.t.Helper()
	var b strings.Builder
	for i, c := range r.runs {
		fmt.Fprintf(&b, "\n--- serve run %d ---\n%s", i+1, c.logs.String())
	}
	r.t.Fatalf(format+"%s", append(args, b.String())...)
}

var crashCaseNumber = regexp.MustCompile(`Case (\d+)`)

// ownerCase waits for the owner's SMS about the complaint and returns its
// case number.
func (r *crashRig) ownerCase() int64 {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, m := range r.twilio.Messages() {
			if m.To != crashOwnerPhone {
				continue
			}
			sub := crashCaseNumber.FindStringSubmatch(m.Body)
			if sub == nil {
				r.fatalf("owner's SMS %q names no case", m.Body)
			}
			id, _ := strconv.ParseInt(sub[1], 10, 64)
			return id
		}
		if time.Now().After(deadline) {
			r.fatalf("no SMS to the owner %s within 30s; stand-in got %+v", crashOwnerPhone, r.twilio.Messages())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sendCall texts "CALL n" from the owner and checks the gateway took it.
func (r *crashRig) sendCall(caseID int64) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), 20*time.Second)
	defer cancel()
	reply, err := r.twilio.SendSMS(ctx, "http://"+r.addr+gateway.PathSMS, crashOwnerPhone, fmt.Sprintf("CALL %d", caseID))
	if err != nil {
		r.fatalf("SendSMS(CALL %d) = %v", caseID, err)
	}
	if reply.Status != 200 || len(reply.Messages) != 1 || !strings.Contains(reply.Messages[0], "calling you now") {
		r.fatalf("CALL %d answered %d %q, want 200 and \"calling you now\"", caseID, reply.Status, reply.Messages)
	}
}

// parentCalls are the calls created through the API (not dialled legs).
func (r *crashRig) parentCalls() []twiliotest.Call {
	var out []twiliotest.Call
	for _, c := range r.twilio.Calls() {
		if c.ParentSID == "" {
			out = append(out, c)
		}
	}
	return out
}

// checkOneCall reads the stopped gateway's store: the case has one call,
// placed with sid, and one call_placed event, reconciled as want.
func (r *crashRig) checkOneCall(caseID int64, sid string, reconciled bool) {
	r.t.Helper()
	if n := len(r.parentCalls()); n != 1 {
		r.fatalf("stand-in has %d calls, want exactly 1: %+v", n, r.parentCalls())
	}
	cfg := config.Default()
	cfg.DataDir = r.dir
	st, err := gateway.OpenStore(r.t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		r.fatalf("OpenStore() = %v", err)
	}
	defer st.Close()
	calls, err := st.CallListByCase(r.t.Context(), caseID)
	if err != nil {
		r.fatalf("CallListByCase(%d) = %v", caseID, err)
	}
	if len(calls) != 1 {
		r.fatalf("case %d has %d calls, want 1: %+v", caseID, len(calls), calls)
	}
	c := calls[0]
	if (c.Status != store.CallPlaced && c.Status != store.CallEnded) || c.ProviderID != sid || c.PlacedAt.IsZero() {
		r.fatalf("call %d: status %s, sid %q, placed at %v; want placed with the stand-in's %s", c.ID, c.Status, c.ProviderID, c.PlacedAt, sid)
	}
	events, err := st.CaseEventList(r.t.Context(), caseID)
	if err != nil {
		r.fatalf("CaseEventList(%d) = %v", caseID, err)
	}
	var placed []string
	for _, e := range events {
		if e.Kind != "call_placed" {
			continue
		}
		placed = append(placed, string(e.Data))
		var d struct {
			CallID     int64  `json:"call_id"`
			SID        string `json:"sid"`
			Reconciled bool   `json:"reconciled"`
		}
		if err := json.Unmarshal(e.Data, &d); err != nil {
			r.fatalf("call_placed event %s: %v", e.Data, err)
		}
		if d.CallID != c.ID || d.SID != sid || d.Reconciled != reconciled {
			r.fatalf("call_placed event %s, want call %d, sid %s, reconciled %v", e.Data, c.ID, sid, reconciled)
		}
	}
	if len(placed) != 1 {
		r.fatalf("case %d has %d call_placed events, want 1: %q", caseID, len(placed), placed)
	}
}
