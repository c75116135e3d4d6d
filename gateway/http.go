package gateway

import (
	"context"
	"net/http"
	"time"
)

// routes is the HTTP route table.
func (g *Gateway) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", g.healthz)
	mux.HandleFunc("GET /readyz", g.readyz)
	mux.HandleFunc("POST "+PathSMS, g.twilioWebhook(g.inboundSMS))
	mux.HandleFunc("POST "+PathSMSStatus, g.twilioWebhook(g.smsStatus))
	mux.HandleFunc("POST "+PathVoiceBridge, g.twilioWebhook(g.voiceBridge))
	mux.HandleFunc("POST "+PathVoiceAccept, g.twilioWebhook(g.voiceAccept))
	mux.HandleFunc("POST "+PathVoiceStatus, g.twilioWebhook(g.voiceStatus))
	mux.HandleFunc("POST "+PathVoiceDial, g.twilioWebhook(g.voiceDial))
	mux.HandleFunc("POST "+PathVoiceAMD, g.twilioWebhook(g.voiceAMD))
	mux.HandleFunc("POST "+PathVoiceInbound, g.twilioWebhook(g.voiceInbound))
	mux.HandleFunc("POST "+PathVoiceInboundDialed, g.twilioWebhook(g.voiceInboundDialed))
	mux.HandleFunc("POST "+PathVoiceRecorded, g.twilioWebhook(g.voiceRecorded))
	mux.HandleFunc("POST "+PathVoiceRecording, g.twilioWebhook(g.voiceRecording))
	mux.HandleFunc("POST "+PathVoiceTranscription, g.twilioWebhook(g.voiceTranscription))
	if g.opts.MetricsToken != "" {
		mux.Handle("GET /metrics", requireToken(g.opts.MetricsToken, g.metrics.handler))
	}
	if g.opts.Dashboard != nil {
		mux.Handle("/", g.opts.Dashboard)
	}
	return mux
}

// healthz answers 200 while the process lives.
func (g *Gateway) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz answers 200 only when the store answers. The body is "ready",
// and below it, once a mailbox message has been given up on, how many
// were and the last one (see deadLetters.summary): they need a look but
// do not make the gateway unready.
func (g *Gateway) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := g.store.Ping(ctx); err != nil {
		g.log.Warn("readiness check failed", "err", err)
		http.Error(w, "store unreachable\n", http.StatusServiceUnavailable)
		return
	}
	body := "ready\n"
	if dl := g.deadLetters.summary(); dl != "" {
		body += dl + "\n"
	}
	_, _ = w.Write([]byte(body))
}
