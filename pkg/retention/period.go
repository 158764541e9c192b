package retention

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Period is how long a finished ticket is kept before it is purged:
// calendar months, or an exact duration. The zero Period means retention
// is off.
type Period struct {
	Months   int
	Duration time.Duration
}

// DefaultPeriod keeps a ticket twelve months after it was resolved or closed.
var DefaultPeriod = Period{Months: 12}

// ParsePeriod reads a period: "12mo" (months), "1y" (years), a Go
// duration such as "720h", or "0" and "off" for no retention.
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	bad := fmt.Errorf("retention period %q: want e.g. 12mo, 1y, 720h, or off", s)
	switch {
	case s == "off" || s == "0" || s == "":
		return Period{}, nil
	case strings.HasSuffix(s, "mo"):
		n, err := strconv.Atoi(strings.TrimSuffix(s, "mo"))
		if err != nil || n < 0 {
			return Period{}, bad
		}
		return Period{Months: n}, nil
	case strings.HasSuffix(s, "y"):
		n, err := strconv.Atoi(strings.TrimSuffix(s, "y"))
		if err != nil || n < 0 {
			return Period{}, bad
		}
		return Period{Months: 12 * n}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return Period{}, bad
	}
	return Period{Duration: d}, nil
}

// Off reports whether retention is disabled.
func (p Period) Off() bool { return p.Months == 0 && p.Duration == 0 }

// Cutoff returns the time before which a ticket's finishing makes it due.
func (p Period) Cutoff(now time.Time) time.Time {
	return now.AddDate(0, -p.Months, 0).Add(-p.Duration)
}

// String renders p as ParsePeriod reads it.
func (p Period) String() string {
	switch {
	case p.Off():
		return "off"
	case p.Duration == 0:
		return fmt.Sprintf("%dmo", p.Months)
	case p.Months == 0:
		return p.Duration.String()
	}
	return fmt.Sprintf("%dmo+%s", p.Months, p.Duration)
}
