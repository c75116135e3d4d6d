package gateway

// EscalateJob exposes the escalation timer's job to the external tests,
// which fire it now instead of waiting for the due time.
var EscalateJob = escalateJob
