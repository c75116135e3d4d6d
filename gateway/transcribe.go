package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"time"
)

// maxTranscript bounds what a transcriber may answer.
const maxTranscript = 64 << 10

// CommandTranscriber runs a command with the recording's audio on its
// standard input and reads the transcript from its standard output
// (voice.transcriber.kind: command). The audio's content type is in the
// environment as TRIAGE_AUDIO_CONTENT_TYPE.
type CommandTranscriber struct {
	Argv    []string
	Timeout time.Duration
}

// Transcribe implements Transcriber.
func (t CommandTranscriber) Transcribe(ctx context.Context, audio io.Reader, contentType string) (string, error) {
	if len(t.Argv) == 0 {
		return "", errors.New("transcriber: no command")
	}
	ctx, cancel := context.WithTimeout(ctx, t.timeout())
	defer cancel()
	cmd := exec.CommandContext(ctx, t.Argv[0], t.Argv[1:]...)
	cmd.Stdin = audio
	cmd.Env = append(cmd.Environ(), "TRIAGE_AUDIO_CONTENT_TYPE="+contentType)
	var out, errOut limitedBuffer
	out.max, errOut.max = maxTranscript, 4<<10
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("transcriber %s: %w (%s)", t.Argv[0], err, strings.TrimSpace(errOut.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

func (t CommandTranscriber) timeout() time.Duration {
	if t.Timeout <= 0 {
		return 2 * time.Minute
	}
	return t.Timeout
}

// HTTPTranscriber POSTs the recording's audio to URL and reads the
// transcript from the answer's body (voice.transcriber.kind: http).
type HTTPTranscriber struct {
	URL    string
	Client *http.Client
}

// Transcribe implements Transcriber.
func (t HTTPTranscriber) Transcribe(ctx context.Context, audio io.Reader, contentType string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, audio)
	if err != nil {
		return "", fmt.Errorf("transcriber request: %w", err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "text/plain")
	c := t.Client
	if c == nil {
		c = &http.Client{Timeout: 2 * time.Minute}
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("transcriber %s: %w", req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTranscript))
	if err != nil {
		return "", fmt.Errorf("transcriber %s: read answer: %w", req.URL.Redacted(), err)
	}
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("transcriber %s: %s", req.URL.Redacted(), resp.Status)
	}
	return strings.TrimSpace(string(body)), nil
}

// limitedBuffer keeps at most max bytes and drops the rest.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
