package sla

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Calendar is the help desk's business time: its opening hours per weekday
// and the dates it is closed, in one time zone. SLA targets are counted in
// it, so the hours of a night, a Sunday or Idul Fitri do not make a
// complaint late while nobody was there to answer it.
type Calendar struct {
	loc         *time.Location
	hours       [7][]openingHours // by time.Weekday, sorted, not overlapping
	holidays    map[string]string // YYYY-MM-DD → name
	businessDay time.Duration
}

// openingHours is one range of a day in minutes after midnight, [from, to).
type openingHours struct{ from, to int }

// CalendarConfig is a Calendar as written in configs/sla.yaml.
type CalendarConfig struct {
	Timezone    string              `yaml:"timezone"`     // default Asia/Jakarta
	BusinessDay string              `yaml:"business_day"` // what 1d means in a target, e.g. 9h
	Hours       map[string][]string `yaml:"hours"`        // weekday → ranges like 08:00-17:00
	Holidays    []Holiday           `yaml:"holidays"`
}

// Holiday is a date the help desk is closed: a national holiday or a day
// of cuti bersama (collective leave).
type Holiday struct {
	Date string `yaml:"date"` // YYYY-MM-DD, in the calendar's time zone
	Name string `yaml:"name"`
}

const holidayDateLayout = "2006-01-02"

// NewCalendar checks cfg and builds its calendar. A week without any
// opening hours is refused, since no due time could ever be reached.
func NewCalendar(cfg CalendarConfig) (*Calendar, error) {
	if cfg.Timezone == "" {
		cfg.Timezone = "Asia/Jakarta"
	}
	loc, err := loadZone(cfg.Timezone, time.LoadLocation)
	if err != nil {
		return nil, err
	}
	c := &Calendar{loc: loc, holidays: map[string]string{}}
	open := false
	for day, ranges := range cfg.Hours {
		wd, ok := weekdayByName(day)
		if !ok {
			return nil, fmt.Errorf("hours: %q is not a weekday (monday … sunday)", day)
		}
		if c.hours[wd], err = parseDayHours(ranges); err != nil {
			return nil, fmt.Errorf("hours: %s: %w", day, err)
		}
		open = open || len(c.hours[wd]) > 0
	}
	if !open {
		return nil, fmt.Errorf("hours: the help desk is never open")
	}
	for i, h := range cfg.Holidays {
		d, err := time.Parse(holidayDateLayout, h.Date)
		if err != nil {
			return nil, fmt.Errorf("holidays[%d]: date %q is not YYYY-MM-DD", i, h.Date)
		}
		key := d.Format(holidayDateLayout)
		if _, dup := c.holidays[key]; dup {
			return nil, fmt.Errorf("holidays[%d]: %s is listed twice", i, key)
		}
		c.holidays[key] = h.Name
	}
	if cfg.BusinessDay != "" {
		if c.businessDay, err = time.ParseDuration(cfg.BusinessDay); err != nil || c.businessDay <= 0 {
			return nil, fmt.Errorf("business_day: %q is not a positive duration like 9h", cfg.BusinessDay)
		}
	}
	return c, nil
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Holiday returns the name of the holiday on t's date, if it is one.
func (c *Calendar) Holiday(t time.Time) (string, bool) {
	name, ok := c.holidays[t.In(c.loc).Format(holidayDateLayout)]
	return name, ok
}

// Open reports whether the help desk is open at t.
func (c *Calendar) Open(t time.Time) bool {
	t = t.In(c.loc)
	day := beginningOfDay(t)
	for _, h := range c.openOn(day) {
		if !t.Before(c.at(day, h.from)) && t.Before(c.at(day, h.to)) {
			return true
		}
	}
	return false
}

// DueAfter returns the instant at which d of business time has passed
// since start, in the calendar's zone. Time outside opening hours and on
// holidays does not count: a start while closed counts from the next
// opening, and a due time that uses up a day's hours exactly is the
// closing time rather than the next morning. d <= 0 returns start.
func (c *Calendar) DueAfter(start time.Time, d time.Duration) time.Time {
	t := start.In(c.loc)
	if d <= 0 {
		return t
	}
	// Ends because NewCalendar refuses a week with no opening hours and the
	// holidays are finitely many.
	for day := beginningOfDay(t); ; day = day.AddDate(0, 0, 1) {
		for _, h := range c.openOn(day) {
			from, to := c.at(day, h.from), c.at(day, h.to)
			if !t.Before(to) {
				continue
			}
			if t.Before(from) {
				t = from
			}
			left := to.Sub(t)
			if d <= left {
				return t.Add(d)
			}
			d -= left
			t = to
		}
	}
}

// BusinessTime returns how much business time lies between from and to;
// 0 when to is not after from. BusinessTime(s, DueAfter(s, d)) == d.
func (c *Calendar) BusinessTime(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	var sum time.Duration
	for day := beginningOfDay(from.In(c.loc)); day.Before(to); day = day.AddDate(0, 0, 1) {
		for _, h := range c.openOn(day) {
			a, b := c.at(day, h.from), c.at(day, h.to)
			if a.Before(from) {
				a = from
			}
			if b.After(to) {
				b = to
			}
			if b.After(a) {
				sum += b.Sub(a)
			}
		}
	}
	return sum
}

// ParseDuration reads a business-time duration: a Go duration such as 8h
// or 90m, optionally led by whole business days, e.g. 3d or 1d4h, where a
// day is the calendar's business_day.
func (c *Calendar) ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, rest, ok := strings.Cut(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q: the days must be a whole number, as in 3d", s)
		}
		if c.businessDay == 0 {
			return 0, fmt.Errorf("%q: set business_day to use days", s)
		}
		d, s = time.Duration(n)*c.businessDay, rest
		if s == "" {
			return d, nil
		}
	}
	more, err := time.ParseDuration(s)
	if err != nil || more < 0 {
		return 0, fmt.Errorf("%q is not a duration like 8h, 30m or 3d", s)
	}
	return d + more, nil
}

// openOn returns the opening hours of day, none on a holiday.
func (c *Calendar) openOn(day time.Time) []openingHours {
	if _, closed := c.holidays[day.Format(holidayDateLayout)]; closed {
		return nil
	}
	return c.hours[day.Weekday()]
}

// at returns the instant minute minutes after the start of day. time.Date
// rather than Add keeps wall-clock hours right in a zone with DST.
func (c *Calendar) at(day time.Time, minute int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, minute, 0, 0, c.loc)
}

func beginningOfDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

func weekdayByName(name string) (time.Weekday, bool) {
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		if strings.EqualFold(name, wd.String()) {
			return wd, true
		}
	}
	return 0, false
}

// parseDayHours reads ranges like ["08:00-12:00", "13:00-17:00"].
func parseDayHours(ranges []string) ([]openingHours, error) {
	var out []openingHours
	for _, r := range ranges {
		from, to, ok := strings.Cut(r, "-")
		f, errF := minuteOfDay(from)
		t, errT := minuteOfDay(to)
		if !ok || errF != nil || errT != nil || f >= t {
			return nil, fmt.Errorf("%q is not a range like 08:00-17:00", r)
		}
		out = append(out, openingHours{f, t})
	}
	slices.SortFunc(out, func(a, b openingHours) int { return a.from - b.from })
	for i := 1; i < len(out); i++ {
		if out[i].from < out[i-1].to {
			return nil, fmt.Errorf("ranges overlap")
		}
	}
	return out, nil
}

// minuteOfDay reads HH:MM, 00:00 to 24:00.
func minuteOfDay(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	h, errH := strconv.Atoi(s[:2])
	m, errM := strconv.Atoi(s[3:])
	if errH != nil || errM != nil || h < 0 || m < 0 || m > 59 || h*60+m > 24*60 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return h*60 + m, nil
}

// loadZone loads a time zone with load (time.LoadLocation). Hosts without
// a zone database (a scratch container, Windows without Go's tzdata) still
// get Indonesia's zones right, because none of them has kept DST since
// 1964: they fall back to a fixed offset.
func loadZone(name string, load func(string) (*time.Location, error)) (*time.Location, error) {
	loc, err := load(name)
	if err == nil {
		return loc, nil
	}
	switch name {
	case "Asia/Jakarta", "Asia/Pontianak":
		return time.FixedZone("WIB", 7*60*60), nil
	case "Asia/Makassar":
		return time.FixedZone("WITA", 8*60*60), nil
	case "Asia/Jayapura":
		return time.FixedZone("WIT", 9*60*60), nil
	}
	return nil, fmt.Errorf("timezone %q: %w", name, err)
}
