package ticket

import "time"

// LegalHold keeps a ticket from retention's purge for as long as it is
// set: a dispute, an investigation, a court order. Its reason follows the
// rules of a reveal's (CheckRevealReason): required, one short line.
type LegalHold struct {
	Reason string
	SetBy  int64
	SetAt  time.Time
}
