package sla

import (
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Verdict is where a ticket stands with its SLA.
type Verdict string

// The verdicts.
const (
	// VerdictPending: not resolved yet, and no target missed so far.
	VerdictPending Verdict = "pending"
	// VerdictMet: resolved, both targets kept.
	VerdictMet Verdict = "met"
	// VerdictMissed: a target was missed; nothing later changes that.
	VerdictMissed Verdict = "missed"
)

// VerdictOf is the one definition of SLA compliance. A ticket met its SLA
// when it was resolved and kept both targets: the first response came by
// the first response due time (a ticket resolved without a reply, e.g.
// solved on the call, was answered by its resolution) and the resolution
// by the resolution due time. A target without a due time cannot be
// missed. Due times are counted on the business calendar when the scan
// plans them (Rules.Due), so the comparisons here are plain instants.
//
// A ticket missed its SLA once a target is missed: answered or resolved
// after its due time, or a breach recorded by the scan, which stays
// recorded when the due times move. An open ticket past a due time is
// missed from the scan that marks it (within SLAScanEvery) on.
//
// Compliance, as the weekly report and /metrics give it, is met / (met +
// missed): tickets still pending are not decided yet.
func VerdictOf(s ticket.SLA) Verdict {
	answered := s.FirstRespondedAt
	if answered == nil {
		answered = s.ResolvedAt
	}
	switch {
	case s.Breached || late(answered, s.FirstResponseDue) || late(s.ResolvedAt, s.ResolutionDue):
		return VerdictMissed
	case s.ResolvedAt == nil:
		return VerdictPending
	}
	return VerdictMet
}

func late(at, due *time.Time) bool { return at != nil && due != nil && at.After(*due) }

// Met reports whether t met its SLA (see VerdictOf).
func Met(t ticket.Ticket) bool { return VerdictOf(t.SLA) == VerdictMet }

// Compliance is VerdictOf in SQL, over the tickets table aliased t, for the
// store's counts: the weekly report's rollup and the metrics. Each column
// stands for the field of ticket.SLA the store loads from it, and every
// comparison with a NULL is false, as a missing time is in VerdictOf.
// TestComplianceSQLAgrees holds the two to each other.
var Compliance = store.SLARule{Met: `(t.resolved_at IS NOT NULL AND NOT ` + missedSQL + `)`, Missed: missedSQL}

const missedSQL = `(t.sla_breached
	OR COALESCE(COALESCE(t.first_responded_at, t.resolved_at) > t.first_response_due, false)
	OR COALESCE(t.resolved_at > t.resolution_due, false))`
