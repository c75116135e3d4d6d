// Package routing is the gateway's policy (see POLICY.md), written as pure
// decisions: given an inbound message, its assessment and what is known of
// the customer and the staff, Decide returns a Plan (open or update a case,
// who calls back and by when, who is told by SMS, when to escalate). The
// package does no I/O and never reads the clock: the time is an argument.
//
// After a case exists, the same holds for its lifecycle: ParseCommand reads
// an agent's SMS (ACK, CALL, DONE, NOANSWER, SNOOZE, UNHAPPY, HELP and the
// carriers' STOP/START), MayAct says who may act on a case, Act and
// CallEnded return an Outcome (new status, timeline events, tasks, retries,
// escalations), and SMSText and WhisperText word what staff read and hear.
//
// It owns the domain vocabulary shared by the rest of the gateway:
// priorities, business hours, SLAs, plans, case statuses and commands.
package routing
