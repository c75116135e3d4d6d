package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// runCmd runs the CLI in-process and returns its output.
func runCmd(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(ctx, args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

// The demo's summary counts must match the seeded emails, and the
// auto-reply and the newsletter must produce no SMS.
func TestDemoExitsWithMatchingSummary(t *testing.T) {
	t.Parallel()
	out, errOut, err := runCmd(t, t.Context(), "demo", "--exit-after", "12s", "-http", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("demo = %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	m := regexp.MustCompile(`(?m)^demo: (\d+) messages, (\d+) cases, (\d+) sms, (\d+) calls, (\d+) resolved, (\d+) voicemails \((\d+) cases, (\d+) sms\)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("demo output has no summary line:\n%s", out)
	}
	messages, _ := strconv.Atoi(m[1])
	cases, _ := strconv.Atoi(m[2])
	sms, _ := strconv.Atoi(m[3])
	complaints, customers := 0, map[string]bool{}
	for _, d := range demoMails {
		if d.complaint {
			complaints++
			customers[d.from] = true
		}
	}
	if messages != len(demoMails) || cases != len(customers) {
		t.Errorf("demo: %d messages, %d cases; want %d and %d (one case per complaining customer)\n%s", messages, cases, len(demoMails), len(customers), out)
	}
	// Every complaint tells at least its owner; only a critical one also
	// tells a manager. Nothing else sends anything.
	if sms < complaints || sms > complaints+cases {
		t.Errorf("demo: %d sms, want between %d and %d\n%s", sms, complaints, complaints+cases, out)
	}
	// The stand-in plays the agents of demoCallBacks: one call reaches a
	// person and is resolved, the other reaches voicemail.
	if calls, resolved := m[4], m[5]; calls != strconv.Itoa(len(demoCallBacks)) || resolved != "1" {
		t.Errorf("demo: %s calls, %s resolved; want %d calls and 1 resolved\n%s", calls, resolved, len(demoCallBacks), out)
	}
	// Both voicemails come in and open cases, even the one with no words.
	if m[6] != strconv.Itoa(len(demoCallers)) || m[7] != strconv.Itoa(len(demoCallers)) || m[8] == "0" {
		t.Errorf("demo: %s voicemails (%s cases, %s sms); want %d voicemails, each a case, with SMS\n%s", m[6], m[7], m[8], len(demoCallers), out)
	}
	for _, step := range []string{"transcription failed", "espresso machine", `texts "CALL`, "calling you now", "reached the voicemail", `texts "DONE`, "resolved. The follow-up"} {
		if !strings.Contains(out, step) {
			t.Errorf("demo output does not show the call-back step %q:\n%s", step, out)
		}
	}
	if strings.Count(out, "📱") != sms {
		t.Errorf("demo printed %d SMS arrivals, summary says %d", strings.Count(out, "📱"), sms)
	}
	for _, quiet := range []string{"Automatic reply: Order #48213", "This week's deals on shop supplies"} {
		i := strings.Index(out, quiet)
		if i < 0 {
			t.Errorf("demo output does not show %q", quiet)
			continue
		}
		block, _, _ := strings.Cut(out[i:], "\n\n")
		if strings.Contains(block, "SMS queued") || strings.Contains(block, "→ case") || strings.Contains(block, "added to case") {
			t.Errorf("demo: %q led to a case or an SMS:\n%s", quiet, block)
		}
	}
}

func TestScoreJSON(t *testing.T) {
	t.Parallel()
	out, errOut, err := runCmd(t, t.Context(), "score", "--json", "--staff", "Tom Baker, Anna Kowalski",
		"testdata/complaint.eml", "testdata/voicemail.txt")
	if err != nil {
		t.Fatalf("score = %v\n%s", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("score printed %d lines, want 2 (one object per file):\n%s", len(lines), out)
	}
	var email, vm map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &email); err != nil {
		t.Fatalf("line 1: %v", err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &vm); err != nil {
		t.Fatalf("line 2: %v", err)
	}
	for _, key := range []string{"file", "tone", "urgency", "category", "facts", "staff_complained_about", "summary", "language"} {
		if _, ok := email[key]; !ok {
			t.Errorf("score --json has no %q: %s", key, lines[0])
		}
	}
	tone, urgency, category := email["tone"].(map[string]any), email["urgency"].(map[string]any), email["category"].(map[string]any)
	if tone["label"] != "angry" && tone["label"] != "frustrated" {
		t.Errorf("complaint tone.label = %v, want angry or frustrated", tone["label"])
	}
	if urgency["level"] != "high" && urgency["level"] != "critical" {
		t.Errorf("complaint urgency.level = %v, want high or critical", urgency["level"])
	}
	if category["primary"] != "missed_or_late_shipment" {
		t.Errorf("complaint category.primary = %v, want missed_or_late_shipment", category["primary"])
	}
	if staff, _ := email["staff_complained_about"].([]any); len(staff) != 1 || staff[0] != "Tom Baker" {
		t.Errorf("staff_complained_about = %v, want [Tom Baker]", email["staff_complained_about"])
	}
	if ev, _ := urgency["evidence"].([]any); len(ev) == 0 {
		t.Errorf("urgency has no evidence: %v", urgency)
	}
	if summary, _ := email["summary"].(string); summary == "" || len(summary) > 160 || strings.Contains(summary, "on its way") {
		t.Errorf("summary = %q, want one line of at most 160 characters without the quoted history", summary)
	}
	if vm["channel"] != "voicemail" || vm["category"].(map[string]any)["primary"] != "overcharge_or_billing_error" {
		t.Errorf("voicemail: channel %v category %v, want voicemail, overcharge_or_billing_error", vm["channel"], vm["category"])
	}
}

func TestScoreText(t *testing.T) {
	t.Parallel()
	out, _, err := runCmd(t, t.Context(), "score", "--channel", "voicemail", "--date", "2026-03-10T09:00:00Z", "testdata/voicemail.txt")
	if err != nil {
		t.Fatalf("score = %v", err)
	}
	for _, want := range []string{"testdata/voicemail.txt (voicemail)", "tone:", "urgency:", "category:", "summary:"} {
		if !strings.Contains(out, want) {
			t.Errorf("score output lacks %q:\n%s", want, out)
		}
	}
	if _, _, err := runCmd(t, t.Context(), "score", "no/such/file.eml"); err == nil {
		t.Error("score of a missing file = nil error, want one")
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gateway.yaml")
	if err := os.WriteFile(cfg, []byte("data_dir: "+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCmd(t, t.Context(), "migrate", "-config", cfg)
	if err != nil || !strings.Contains(out, "now at schema version") {
		t.Fatalf("first migrate = %v, %q (%s); want the versions applied", err, out, errOut)
	}
	out, _, err = runCmd(t, t.Context(), "migrate", "-config", cfg)
	if err != nil || !strings.Contains(out, "up to date") {
		t.Errorf("second migrate = %v, %q; want up to date", err, out)
	}
}

func TestServeRefusesBadConfigNamingTheKey(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "gateway.yaml")
	if err := os.WriteFile(cfg, []byte("imap:\n  enabled: true\n  adr: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCmd(t, t.Context(), "serve", "-config", cfg)
	if err == nil || !strings.Contains(err.Error(), "adr") {
		t.Errorf("serve with an unknown key = %v, want an error naming \"adr\"", err)
	}
}

// serve on defaults starts, answers health checks, and exits nil when its
// context ends (as on SIGINT).
func TestServeStopsCleanly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gateway.yaml")
	if err := os.WriteFile(cfg, []byte("data_dir: "+dir+"\nhttp:\n  addr: 127.0.0.1:0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	var errb syncBuffer
	go func() {
		err := run(ctx, []string{"serve", "-config", cfg}, strings.NewReader(""), &bytes.Buffer{}, &errb)
		fmt.Fprintf(&errb, "serve returned: %v\n", err)
		done <- err
	}()
	if got := errb.waitFor(t, "http listening", "serve returned"); got != "http listening" {
		t.Fatalf("serve returned before listening:\n%s", errb.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve after cancel = %v, want nil\n%s", err, errb.String())
	}
	for _, want := range []string{"channel off: imap", "channel off: twilio", "stopped"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("serve logs lack %q:\n%s", want, errb.String())
		}
	}
}

func TestBenchPrintsEveryStage(t *testing.T) {
	t.Parallel()
	out, errOut, err := runCmd(t, t.Context(), "bench", "-rounds", "1", "-messages", "12", "-baseline", "1")
	if err != nil {
		t.Fatalf("bench = %v\n%s", err, errOut)
	}
	for _, stage := range []string{"parse (channels/mail)", "nlp.Analyze", "ingest (parse+nlp+route+tx)", "prose defaults (baseline)", "× prose's defaults in this run"} {
		if !strings.Contains(out, stage) {
			t.Errorf("bench output lacks %q:\n%s", stage, out)
		}
	}
	if _, _, err := runCmd(t, t.Context(), "bench", "-rounds", "0"); err == nil {
		t.Error("bench -rounds 0 = nil error, want one")
	}
}
