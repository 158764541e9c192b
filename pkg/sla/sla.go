package sla

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/aduan/aduan/pkg/ticket"
)

// The ticket events the SLA scan writes, with Data {target, due} and, for
// escalated, the priority and queue before and after.
const (
	EventWarning   = "sla_warning"  // a target is due within the warning window
	EventBreached  = "sla_breached" // a target's due time passed unmet
	EventEscalated = "escalated"    // priority raised and moved to the escalation queue
)

// Rules are the help desk's service levels, read from configs/sla.yaml: the
// policies that give each ticket its targets, the calendar they are
// counted in, and what happens as a due time nears and passes.
type Rules struct {
	Calendar        *Calendar
	Policies        []Policy      // first match wins; the last one matches every ticket
	Warning         time.Duration // business time before a due time that agents are warned; 0: never
	EscalationQueue string        // where a breached ticket goes, e.g. eskalasi
	Batch           int           // tickets per scan transaction
}

// Policy is the pair of targets for the tickets it matches.
type Policy struct {
	Name          string
	Categories    []ticket.Category // none: every category
	Priorities    []ticket.Priority // none: every priority
	FirstResponse time.Duration     // business time from creation to the first reply
	Resolution    time.Duration     // business time from creation to resolved
}

// Matches reports whether the policy applies to a ticket of category c
// and priority p.
func (p Policy) Matches(c ticket.Category, pr ticket.Priority) bool {
	return (len(p.Categories) == 0 || slices.Contains(p.Categories, c)) &&
		(len(p.Priorities) == 0 || slices.Contains(p.Priorities, pr))
}

// Policy returns the first policy matching a ticket of category c and
// priority p; Parse guarantees the last one matches everything.
func (s *Rules) Policy(c ticket.Category, p ticket.Priority) Policy {
	for _, pol := range s.Policies {
		if pol.Matches(c, p) {
			return pol
		}
	}
	return s.Policies[len(s.Policies)-1]
}

// Due is what a policy promises a ticket.
type Due struct {
	Policy        string
	FirstResponse time.Time
	Resolution    time.Time
}

// Due returns the due times of a ticket of category c and priority p
// created at created: both counted in business time from its creation.
//
// The rule for changes: the sla:scan task recomputes the resolution due
// time, still from the creation time, whenever a ticket's category or
// priority differs from the one its due times were computed for; the
// first response due time stays as first set, since it is a promise made
// when the complaint arrived. An escalation raises the priority without
// moving either due time.
func (s *Rules) Due(c ticket.Category, p ticket.Priority, created time.Time) Due {
	pol := s.Policy(c, p)
	return Due{Policy: pol.Name, FirstResponse: s.Calendar.DueAfter(created, pol.FirstResponse),
		Resolution: s.Calendar.DueAfter(created, pol.Resolution)}
}

// WarnUntil returns the end of the warning window at now: a target due by
// then, and not yet, is warned about. The window is business time, so a
// due time early on Monday is warned about late on Saturday.
func (s *Rules) WarnUntil(now time.Time) time.Time {
	return s.Calendar.DueAfter(now, s.Warning)
}

// EscalatedPriority is the priority a breached ticket is raised to: one
// step up, urgent staying urgent.
func EscalatedPriority(p ticket.Priority) ticket.Priority {
	if i := p.Rank(); i >= 0 && i+1 < len(ticket.Priorities) {
		return ticket.Priorities[i+1]
	}
	return ticket.PriorityUrgent
}

// rulesFile is configs/sla.yaml as written.
type rulesFile struct {
	Calendar        CalendarConfig `yaml:"calendar"`
	Warning         string         `yaml:"warning"`
	EscalationQueue string         `yaml:"escalation_queue"`
	Batch           int            `yaml:"batch"`
	Policies        []struct {
		Name          string            `yaml:"name"`
		Categories    []ticket.Category `yaml:"categories"`
		Priorities    []ticket.Priority `yaml:"priorities"`
		FirstResponse string            `yaml:"first_response"`
		Resolution    string            `yaml:"resolution"`
	} `yaml:"policies"`
}

// Limits on the scan's batch size.
const (
	defaultBatch = 500
	maxBatch     = 5000
)

// Parse reads and checks an SLA configuration (configs/sla.yaml).
// Unknown keys, categories and priorities are errors, so a typo cannot
// silently leave tickets under the default policy.
func Parse(data []byte) (*Rules, error) {
	var f rulesFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("sla: %w", err)
	}
	cal, err := NewCalendar(f.Calendar)
	if err != nil {
		return nil, fmt.Errorf("sla: calendar: %w", err)
	}
	s := &Rules{Calendar: cal, EscalationQueue: f.EscalationQueue, Batch: f.Batch}
	if f.Warning != "" {
		if s.Warning, err = cal.ParseDuration(f.Warning); err != nil {
			return nil, fmt.Errorf("sla: warning: %w", err)
		}
	}
	switch {
	case s.EscalationQueue == "":
		return nil, fmt.Errorf("sla: escalation_queue is missing")
	case s.Batch == 0:
		s.Batch = defaultBatch
	case s.Batch < 0 || s.Batch > maxBatch:
		return nil, fmt.Errorf("sla: batch must be between 1 and %d", maxBatch)
	}
	if len(f.Policies) == 0 {
		return nil, fmt.Errorf("sla: no policies")
	}
	seen := map[string]bool{}
	for i, p := range f.Policies {
		pol := Policy{Name: p.Name, Categories: p.Categories, Priorities: p.Priorities}
		if err := checkPolicy(pol, seen); err != nil {
			return nil, fmt.Errorf("sla: policies[%d]: %w", i, err)
		}
		if pol.FirstResponse, err = parseTarget(cal, "first_response", p.FirstResponse); err == nil {
			pol.Resolution, err = parseTarget(cal, "resolution", p.Resolution)
		}
		if err != nil {
			return nil, fmt.Errorf("sla: policies[%d] (%s): %w", i, p.Name, err)
		}
		seen[p.Name] = true
		s.Policies = append(s.Policies, pol)
	}
	if last := s.Policies[len(s.Policies)-1]; len(last.Categories) > 0 || len(last.Priorities) > 0 {
		return nil, fmt.Errorf("sla: the last policy (%s) must be the default, with no categories or priorities", last.Name)
	}
	return s, nil
}

func checkPolicy(p Policy, seen map[string]bool) error {
	if p.Name == "" || seen[p.Name] {
		return fmt.Errorf("each policy needs a name of its own, got %q", p.Name)
	}
	for _, c := range p.Categories {
		if !c.Valid() {
			return fmt.Errorf("%s: unknown category %q", p.Name, c)
		}
	}
	for _, pr := range p.Priorities {
		if !pr.Valid() {
			return fmt.Errorf("%s: unknown priority %q", p.Name, pr)
		}
	}
	return nil
}

func parseTarget(cal *Calendar, key, s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("%s is missing", key)
	}
	d, err := cal.ParseDuration(s)
	if err == nil && d <= 0 {
		err = fmt.Errorf("%q must be more than zero", s)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return d, nil
}
