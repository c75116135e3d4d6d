// Package routing is the gateway's policy (see POLICY.md), written as pure
// decisions: given an inbound message, its assessment and what is known of
// the customer and the staff, Decide returns a Plan (open or update a case,
// who calls back and by when, who is told by SMS, when to escalate). The
// package does no I/O and never reads the clock: the time is an argument.
//
// It owns the domain vocabulary shared by the rest of the gateway:
// priorities, business hours, SLAs and plans.
package routing
