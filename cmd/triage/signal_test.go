package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestMain lets a test run this binary as the triage command itself, so
// that signals can be sent to a real process.
func TestMain(m *testing.M) {
	if args := os.Getenv("TRIAGE_TEST_RUN_MAIN"); args != "" {
		os.Args = append([]string{"triage"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// SIGTERM and SIGINT stop intake and HTTP, let work finish and exit 0.
func TestServeExitsZeroOnSignal(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cfg := filepath.Join(dir, "gateway.yaml")
			if err := os.WriteFile(cfg, []byte("data_dir: "+dir+"\nhttp:\n  addr: 127.0.0.1:0\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "TRIAGE_TEST_RUN_MAIN=serve -config "+cfg)
			var logs syncBuffer
			cmd.Stderr = &logs
			if err := cmd.Start(); err != nil {
				t.Fatalf("start serve: %v", err)
			}
			if got := logs.waitFor(t, "http listening", "triage:"); got != "http listening" {
				_ = cmd.Process.Kill()
				t.Fatalf("serve failed to start:\n%s", logs.String())
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatalf("signal %v: %v", sig, err)
			}
			if err := cmd.Wait(); err != nil {
				t.Errorf("serve after %v = %v, want exit 0\n%s", sig, err, logs.String())
			}
			if !strings.Contains(logs.String(), "stopped") {
				t.Errorf("serve after %v did not log \"stopped\":\n%s", sig, logs.String())
			}
		})
	}
}
