package sla

import (
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
)

// slaWIB is a wall-clock time in Jakarta (UTC+7).
func slaWIB(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.FixedZone("WIB", 7*60*60))
}

// slaConfig reads configs/sla.yaml, the file the binary embeds.
func slaConfig(t *testing.T) *Rules {
	t.Helper()
	b, err := os.ReadFile("../../configs/sla.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(b)
	if err != nil {
		t.Fatalf("Parse(configs/sla.yaml): %v", err)
	}
	return s
}

// In configs/sla.yaml: Mon–Fri 08:00–17:00, Sat 08:00–12:00, closed on
// Sundays and the 2026 holidays. 2026-01-09 is a Friday; 1 January, 16
// January and 18–24 March are holidays.
func TestDueAfter(t *testing.T) {
	cal := slaConfig(t).Calendar
	tests := []struct {
		name  string
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"within the day", slaWIB(2026, 1, 12, 9, 0), 2 * time.Hour, slaWIB(2026, 1, 12, 11, 0)},
		{"Friday 16:30 + 2h runs into Saturday", slaWIB(2026, 1, 9, 16, 30), 2 * time.Hour, slaWIB(2026, 1, 10, 9, 30)},
		{"Saturday 11:00 + 2h skips Sunday", slaWIB(2026, 1, 10, 11, 0), 2 * time.Hour, slaWIB(2026, 1, 12, 9, 0)},
		{"Sunday counts from Monday morning", slaWIB(2026, 1, 11, 10, 0), 30 * time.Minute, slaWIB(2026, 1, 12, 8, 30)},
		{"evening counts from the next morning", slaWIB(2026, 1, 12, 20, 0), time.Hour, slaWIB(2026, 1, 13, 9, 0)},
		{"before opening counts from opening", slaWIB(2026, 1, 12, 6, 15), time.Hour, slaWIB(2026, 1, 12, 9, 0)},
		{"on a holiday counts from the next business morning", slaWIB(2026, 1, 1, 10, 0), time.Hour, slaWIB(2026, 1, 2, 9, 0)},
		{"a holiday on a Friday is skipped", slaWIB(2026, 1, 15, 16, 0), 2 * time.Hour, slaWIB(2026, 1, 17, 9, 0)},
		{"Nyepi and Idul Fitri close a week", slaWIB(2026, 3, 17, 16, 0), 2 * time.Hour, slaWIB(2026, 3, 25, 9, 0)},
		{"exactly at opening", slaWIB(2026, 1, 12, 8, 0), time.Hour, slaWIB(2026, 1, 12, 9, 0)},
		{"exactly at closing counts from the next opening", slaWIB(2026, 1, 12, 17, 0), time.Hour, slaWIB(2026, 1, 13, 9, 0)},
		{"using up the day ends at closing, not next morning", slaWIB(2026, 1, 12, 16, 0), time.Hour, slaWIB(2026, 1, 12, 17, 0)},
		{"a whole day", slaWIB(2026, 1, 12, 8, 0), 9 * time.Hour, slaWIB(2026, 1, 12, 17, 0)},
		{"Saturday noon is closing", slaWIB(2026, 1, 10, 12, 0), 30 * time.Minute, slaWIB(2026, 1, 12, 8, 30)},
		{"three days, Monday to Thursday", slaWIB(2026, 1, 12, 10, 0), 27 * time.Hour, slaWIB(2026, 1, 15, 10, 0)},
		{"three days across a weekend", slaWIB(2026, 1, 22, 10, 0), 27 * time.Hour, slaWIB(2026, 1, 26, 15, 0)},
		{"eight hours from Friday 16:30", slaWIB(2026, 1, 9, 16, 30), 8 * time.Hour, slaWIB(2026, 1, 12, 11, 30)},
		{"a second before closing", slaWIB(2026, 1, 12, 16, 59).Add(59 * time.Second), 2 * time.Second, slaWIB(2026, 1, 13, 8, 0).Add(time.Second)},
		{"any zone in, Jakarta out", time.Date(2026, 1, 9, 9, 30, 0, 0, time.UTC), 2 * time.Hour, slaWIB(2026, 1, 10, 9, 30)},
		{"zero is the start itself", slaWIB(2026, 1, 11, 10, 0), 0, slaWIB(2026, 1, 11, 10, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.DueAfter(tt.start, tt.d)
			if !got.Equal(tt.want) {
				t.Errorf("DueAfter(%s, %v) = %s, want %s", tt.start.Format(time.RFC3339), tt.d,
					got.Format("Mon 2006-01-02 15:04:05"), tt.want.Format("Mon 2006-01-02 15:04:05"))
			}
			if got.Location() != cal.Location() {
				t.Errorf("DueAfter returned %v, want the calendar's zone", got.Location())
			}
		})
	}
}

func TestDueAfterWithBreaks(t *testing.T) {
	cal, err := NewCalendar(CalendarConfig{Hours: map[string][]string{
		"Monday": {"13:00-17:00", "08:00-12:00"}, "tuesday": {"08:00-12:00", "13:00-17:00"}}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"across lunch", slaWIB(2026, 1, 12, 11, 30), time.Hour, slaWIB(2026, 1, 12, 13, 30)},
		{"during lunch", slaWIB(2026, 1, 12, 12, 15), time.Hour, slaWIB(2026, 1, 12, 14, 0)},
		{"ends at lunch", slaWIB(2026, 1, 12, 11, 0), time.Hour, slaWIB(2026, 1, 12, 12, 0)},
		{"Tuesday evening to next Monday", slaWIB(2026, 1, 13, 16, 0), 2 * time.Hour, slaWIB(2026, 1, 19, 9, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.DueAfter(tt.start, tt.d); !got.Equal(tt.want) {
				t.Errorf("DueAfter(%s, %v) = %s, want %s", tt.start, tt.d, got, tt.want)
			}
		})
	}
}

// Properties of DueAfter over many starts and targets: the business time
// between start and due is the target, the due time is when the desk is
// open (or its closing instant), and a longer target is never due sooner.
func TestDueAfterProperties(t *testing.T) {
	cal := slaConfig(t).Calendar
	rng := rand.New(rand.NewPCG(2026, 119))
	base := slaWIB(2025, 12, 20, 0, 0)
	for i := 0; i < 2000; i++ {
		start := base.Add(time.Duration(rng.Int64N(int64(400 * 24 * time.Hour))))
		d := time.Duration(1 + rng.Int64N(int64(60*time.Hour)))
		due := cal.DueAfter(start, d)
		if got := cal.BusinessTime(start, due); got != d {
			t.Fatalf("BusinessTime(%s, DueAfter(…, %v) = %s) = %v", start, d, due, got)
		}
		if !due.After(start) || !cal.Open(due.Add(-time.Nanosecond)) {
			t.Fatalf("DueAfter(%s, %v) = %s: not just after business time", start, d, due)
		}
		if longer := cal.DueAfter(start, d+time.Minute); longer.Before(due) {
			t.Fatalf("DueAfter(%s, %v+1m) = %s, before %s", start, d, longer, due)
		}
		if _, holiday := cal.Holiday(due.Add(-time.Nanosecond)); holiday {
			t.Fatalf("DueAfter(%s, %v) = %s, on a holiday", start, d, due)
		}
	}
}

func TestBusinessTime(t *testing.T) {
	cal := slaConfig(t).Calendar
	tests := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"within a day", slaWIB(2026, 1, 12, 9, 0), slaWIB(2026, 1, 12, 10, 30), 90 * time.Minute},
		{"a whole week", slaWIB(2026, 1, 18, 0, 0), slaWIB(2026, 1, 25, 0, 0), 49 * time.Hour},
		{"a week with a holiday", slaWIB(2026, 1, 11, 0, 0), slaWIB(2026, 1, 18, 0, 0), 40 * time.Hour},
		{"two weeks", slaWIB(2026, 1, 11, 0, 0), slaWIB(2026, 1, 25, 0, 0), 89 * time.Hour},
		{"only closed time", slaWIB(2026, 1, 12, 17, 0), slaWIB(2026, 1, 13, 8, 0), 0},
		{"backwards", slaWIB(2026, 1, 13, 9, 0), slaWIB(2026, 1, 12, 9, 0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.BusinessTime(tt.from, tt.to); got != tt.want {
				t.Errorf("BusinessTime = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewCalendarRejects(t *testing.T) {
	weekdays := map[string][]string{"monday": {"08:00-17:00"}}
	tests := []struct {
		name string
		cfg  CalendarConfig
		want string
	}{
		{"never open", CalendarConfig{}, "never open"},
		{"closed all week", CalendarConfig{Hours: map[string][]string{"monday": {}}}, "never open"},
		{"unknown day", CalendarConfig{Hours: map[string][]string{"senin": {"08:00-17:00"}}}, "not a weekday"},
		{"backwards range", CalendarConfig{Hours: map[string][]string{"monday": {"17:00-08:00"}}}, "not a range"},
		{"bad clock", CalendarConfig{Hours: map[string][]string{"monday": {"8:00-17:00"}}}, "not a range"},
		{"past midnight", CalendarConfig{Hours: map[string][]string{"monday": {"08:00-24:30"}}}, "not a range"},
		{"overlap", CalendarConfig{Hours: map[string][]string{"monday": {"08:00-12:00", "11:00-17:00"}}}, "overlap"},
		{"bad holiday", CalendarConfig{Hours: weekdays, Holidays: []Holiday{{Date: "2026-02-30"}}}, "not YYYY-MM-DD"},
		{"holiday twice", CalendarConfig{Hours: weekdays, Holidays: []Holiday{{Date: "2026-01-01"}, {Date: "2026-01-01"}}}, "twice"},
		{"unknown zone", CalendarConfig{Hours: weekdays, Timezone: "Asia/Bandung"}, "timezone"},
		{"bad business day", CalendarConfig{Hours: weekdays, BusinessDay: "0h"}, "business_day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCalendar(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewCalendar error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// Without a zone database Indonesia's zones still work, as fixed offsets.
func TestLoadZoneFallsBack(t *testing.T) {
	missing := func(string) (*time.Location, error) { return nil, errors.New("unknown time zone") }
	instant := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for name, hour := range map[string]int{"Asia/Jakarta": 7, "Asia/Pontianak": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9} {
		loc, err := loadZone(name, missing)
		if err != nil {
			t.Fatalf("loadZone(%s): %v", name, err)
		}
		if h := instant.In(loc).Hour(); h != hour {
			t.Errorf("%s: midnight UTC is %02d:00, want %02d:00", name, h, hour)
		}
		fromDB, err := loadZone(name, time.LoadLocation)
		if err != nil {
			t.Fatalf("loadZone(%s) with the zone database: %v", name, err)
		}
		if h := instant.In(fromDB).Hour(); h != hour {
			t.Errorf("%s from the zone database: %02d:00, want %02d:00", name, h, hour)
		}
	}
	if _, err := loadZone("Europe/Amsterdam", missing); err == nil {
		t.Error("a zone with DST must not fall back to a fixed offset")
	}
}

func TestParseDuration(t *testing.T) {
	cal, err := NewCalendar(CalendarConfig{Hours: map[string][]string{"monday": {"08:00-17:00"}}, BusinessDay: "9h"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "8h", want: 8 * time.Hour},
		{in: "90m", want: 90 * time.Minute},
		{in: "3d", want: 27 * time.Hour},
		{in: "1d4h", want: 13 * time.Hour},
		{in: "0d", want: 0},
		{in: "", wantErr: true},
		{in: "d", wantErr: true},
		{in: "1.5d", wantErr: true},
		{in: "-1h", wantErr: true},
		{in: "three days", wantErr: true},
	}
	for _, tt := range tests {
		got, err := cal.ParseDuration(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	noDays, _ := NewCalendar(CalendarConfig{Hours: map[string][]string{"monday": {"08:00-17:00"}}})
	if _, err := noDays.ParseDuration("1d"); err == nil || !strings.Contains(err.Error(), "business_day") {
		t.Errorf("days without business_day: error %v", err)
	}
}
