package sla

import (
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

func TestSLAConfig(t *testing.T) {
	s := slaConfig(t)
	if s.Warning != time.Hour || s.EscalationQueue != "eskalasi" || s.Batch != 500 {
		t.Errorf("warning %v, escalation queue %q, batch %d", s.Warning, s.EscalationQueue, s.Batch)
	}
	if _, ok := s.Calendar.Holiday(slaWIB(2026, 8, 17, 10, 0)); !ok {
		t.Error("17 August 2026 is not a holiday")
	}
}

func TestSLAPolicyMatching(t *testing.T) {
	s := slaConfig(t)
	tests := []struct {
		category ticket.Category
		priority ticket.Priority
		want     string
		fr, res  time.Duration
	}{
		{ticket.CategoryCertificateMissing, ticket.PriorityNormal, "default", 8 * time.Hour, 27 * time.Hour},
		{ticket.CategoryOther, ticket.PriorityNormal, "default", 8 * time.Hour, 27 * time.Hour},
		{ticket.CategoryCertificateMissing, ticket.PriorityUrgent, "urgent", time.Hour, 9 * time.Hour},
		{ticket.CategoryNIKConflict, ticket.PriorityUrgent, "urgent", time.Hour, 9 * time.Hour}, // first match wins
		{ticket.CategoryNIKConflict, ticket.PriorityHigh, "high", 4 * time.Hour, 18 * time.Hour},
		{ticket.CategoryNIKConflict, ticket.PriorityNormal, "nik-conflict", 8 * time.Hour, 45 * time.Hour},
		{ticket.CategoryNIKConflict, ticket.PriorityLow, "nik-conflict", 8 * time.Hour, 45 * time.Hour},
		{ticket.CategoryPersonalDataChange, ticket.PriorityNormal, "data-correction", 8 * time.Hour, 45 * time.Hour},
		{ticket.CategoryCertificateDataError, ticket.PriorityNormal, "data-correction", 8 * time.Hour, 45 * time.Hour},
		{ticket.CategoryVaccinationStatus, ticket.PriorityNormal, "quick-answer", 4 * time.Hour, 9 * time.Hour},
		{ticket.CategoryAppIssue, ticket.PriorityLow, "quick-answer", 4 * time.Hour, 9 * time.Hour},
		{ticket.CategoryOther, ticket.PriorityLow, "low", 18 * time.Hour, 90 * time.Hour},
		{"no_such_category", "no_such_priority", "default", 8 * time.Hour, 27 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(string(tt.category)+"/"+string(tt.priority), func(t *testing.T) {
			p := s.Policy(tt.category, tt.priority)
			if p.Name != tt.want || p.FirstResponse != tt.fr || p.Resolution != tt.res {
				t.Errorf("Policy = %s (%v, %v), want %s (%v, %v)", p.Name, p.FirstResponse, p.Resolution, tt.want, tt.fr, tt.res)
			}
		})
	}
}

func TestSLADue(t *testing.T) {
	s := slaConfig(t)
	created := slaWIB(2026, 1, 9, 16, 30) // a Friday
	got := s.Due(ticket.CategoryCertificateMissing, ticket.PriorityNormal, created)
	want := Due{Policy: "default", FirstResponse: slaWIB(2026, 1, 12, 11, 30), Resolution: slaWIB(2026, 1, 14, 12, 30)}
	if got.Policy != want.Policy || !got.FirstResponse.Equal(want.FirstResponse) || !got.Resolution.Equal(want.Resolution) {
		t.Errorf("Due = %+v, want %+v", got, want)
	}
	if until := s.WarnUntil(slaWIB(2026, 1, 10, 11, 30)); !until.Equal(slaWIB(2026, 1, 12, 8, 30)) {
		t.Errorf("WarnUntil(Saturday 11:30) = %s, want Monday 08:30", until)
	}
	s.Warning = 0
	if now := slaWIB(2026, 1, 12, 9, 0); !s.WarnUntil(now).Equal(now) {
		t.Error("with no warning window the window is empty")
	}
}

func TestEscalatedPriority(t *testing.T) {
	for from, to := range map[ticket.Priority]ticket.Priority{
		ticket.PriorityLow: ticket.PriorityNormal, ticket.PriorityNormal: ticket.PriorityHigh,
		ticket.PriorityHigh: ticket.PriorityUrgent, ticket.PriorityUrgent: ticket.PriorityUrgent, "": ticket.PriorityUrgent,
	} {
		if got := EscalatedPriority(from); got != to {
			t.Errorf("EscalatedPriority(%q) = %q, want %q", from, got, to)
		}
	}
}

func TestParseSLARejects(t *testing.T) {
	const calendar = "calendar: {business_day: 9h, hours: {monday: [08:00-17:00]}}\n"
	const queue = "escalation_queue: eskalasi\n"
	const fallback = "  - {name: default, first_response: 8h, resolution: 3d}\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"empty", "", "never open"},
		{"not YAML", "policies: [", "sla:"},
		{"unknown key", calendar + queue + "escalation: eskalasi\npolicies:\n" + fallback, "field escalation not found"},
		{"no queue", calendar + "policies:\n" + fallback, "escalation_queue"},
		{"no policies", calendar + queue, "no policies"},
		{"no default last", calendar + queue + "policies:\n" + fallback + "  - {name: u, priorities: [urgent], first_response: 1h, resolution: 1d}\n", "must be the default"},
		{"unknown category", calendar + queue + "policies:\n  - {name: x, categories: [sertifikat], first_response: 1h, resolution: 1d}\n" + fallback, "unknown category"},
		{"unknown priority", calendar + queue + "policies:\n  - {name: x, priorities: [critical], first_response: 1h, resolution: 1d}\n" + fallback, "unknown priority"},
		{"same name twice", calendar + queue + "policies:\n" + fallback + fallback, "name of its own"},
		{"no name", calendar + queue + "policies:\n  - {first_response: 8h, resolution: 3d}\n", "name of its own"},
		{"missing target", calendar + queue + "policies:\n  - {name: default, first_response: 8h}\n", "resolution is missing"},
		{"zero target", calendar + queue + "policies:\n  - {name: default, first_response: 0h, resolution: 1d}\n", "more than zero"},
		{"bad target", calendar + queue + "policies:\n  - {name: default, first_response: 8 jam, resolution: 1d}\n", "first_response"},
		{"bad warning", calendar + queue + "warning: soon\npolicies:\n" + fallback, "warning"},
		{"batch too big", calendar + queue + "batch: 100000\npolicies:\n" + fallback, "batch"},
		{"days without business_day", "calendar: {hours: {monday: [08:00-17:00]}}\n" + queue + "policies:\n" + fallback, "business_day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
