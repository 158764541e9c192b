package store

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// Week is an ISO 8601 week as the help desk lives it: Monday 00:00 to the
// next Monday 00:00 in Asia/Jakarta (WIB, ticket.Jakarta). A ticket opened
// at 23:30 WIB on a Sunday belongs to the week that Sunday ends, although
// it is 16:30 UTC; one opened at 00:30 WIB on Monday belongs to the new
// week, although it is still Sunday in UTC.
type Week struct {
	Year int // the ISO week-numbering year: around New Year it is not the calendar year
	Num  int // 1 to 52, or 53 in long years
}

// MinReportYear is the first year a week may be asked for: the help desk is
// younger, and it keeps on-demand rollups from wandering into the past.
const MinReportYear = 2000

var weekPattern = regexp.MustCompile(`^([0-9]{4})-W([0-9]{2})$`)

// ParseWeek reads an ISO week such as "2021-W45". Its EINVALID error names
// the field "week".
func ParseWeek(s string) (Week, error) {
	m := weekPattern.FindStringSubmatch(s)
	if m == nil {
		return Week{}, weekError("tulis minggu ISO sebagai TAHUN-Wnn, mis. 2021-W45")
	}
	year, _ := strconv.Atoi(m[1])
	num, _ := strconv.Atoi(m[2])
	switch {
	case year < MinReportYear:
		return Week{}, weekError(fmt.Sprintf("tidak ada laporan sebelum tahun %d", MinReportYear))
	case num < 1 || num > weeksIn(year):
		return Week{}, weekError(fmt.Sprintf("tahun %d punya minggu 1 sampai %d", year, weeksIn(year)))
	}
	return Week{Year: year, Num: num}, nil
}

func weekError(msg string) error {
	return &ticket.Error{Code: ticket.EINVALID, Message: "Minggu tidak valid. / Invalid ISO week.",
		Fields: map[string]string{"week": msg}}
}

// weeksIn is 52 or 53: 28 December always falls in a year's last ISO week.
func weeksIn(year int) int {
	_, n := time.Date(year, time.December, 28, 12, 0, 0, 0, time.UTC).ISOWeek()
	return n
}

// WeekOf returns the week t falls in, in WIB.
func WeekOf(t time.Time) Week {
	y, n := t.In(ticket.Jakarta).ISOWeek()
	return Week{Year: y, Num: n}
}

// Start is the week's Monday, 00:00 WIB.
func (w Week) Start() time.Time {
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, ticket.Jakarta) // always in week 1
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, 7*(w.Num-1))
}

// End is the next Monday, 00:00 WIB: the first instant after the week.
func (w Week) End() time.Time { return w.Start().AddDate(0, 0, 7) }

// Next is the week after w.
func (w Week) Next() Week { return WeekOf(w.End()) }

// Prev is the week before w.
func (w Week) Prev() Week { return WeekOf(w.Start().AddDate(0, 0, -1)) }

// String renders the week as ISO 8601 does, e.g. 2021-W45.
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// The rollup of one week, run in this order in one transaction. Days are
// WIB calendar days; 'Asia/Jakarta' and ticket.Jakarta agree on every date
// since 1964. @day is the week's Monday, @from and @to its bounds.
const (
	// Rollups of the same week, by the task and by a report computed on
	// demand, wait for each other instead of failing on each other's rows.
	// JIT compiling would cost more than these short index scans take.
	rollupLockSQL = `SELECT pg_advisory_xact_lock(hashtext('report_weekly'), CAST(@day AS date) - date '2000-01-03'),
		set_config('jit', 'off', true)`

	rollupClearSQL = `WITH d AS (DELETE FROM report_daily WHERE day >= CAST(@day AS date) AND day < CAST(@day AS date) + 7)
		DELETE FROM report_weekly WHERE week_start = CAST(@day AS date)`

	rollupDaysSQL = `INSERT INTO report_daily (day, channel, category, created, resolved)
		SELECT day, channel, category, sum(created), sum(resolved) FROM (
			SELECT (created_at AT TIME ZONE 'Asia/Jakarta')::date AS day, channel, category, 1 AS created, 0 AS resolved
			FROM tickets WHERE created_at >= @from AND created_at < @to
			UNION ALL
			SELECT (resolved_at AT TIME ZONE 'Asia/Jakarta')::date, channel, category, 0, 1
			FROM tickets WHERE resolved_at >= @from AND resolved_at < @to
		) AS d GROUP BY day, channel, category`
)

// rollupWeekSQL writes the week's row: the backlog at the week's end,
// tickets created before it and not finished by it (resolved, or closed
// without a resolution), in two index-only range scans of
// tickets_finished_idx (a ticket reopened later counts as open in any week
// recomputed since); the median first response; and SLA compliance under
// rule, sla_total counting the tickets whose SLA is decided (met or missed).
func rollupWeekSQL(rule SLARule) string {
	return `INSERT INTO report_weekly (week_start, backlog_end, first_response_median_seconds, sla_met, sla_total, computed_at)
		SELECT CAST(@day AS date),
			(SELECT count(*) FROM tickets WHERE finished_at IS NULL AND created_at < @to)
			+ (SELECT count(*) FROM tickets WHERE finished_at >= @to AND created_at < @to),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.first_responded_at - t.created_at)::float8)
				FILTER (WHERE t.first_responded_at IS NOT NULL),
			count(*) FILTER (WHERE ` + rule.Met + `),
			count(*) FILTER (WHERE ` + rule.Met + ` OR ` + rule.Missed + `),
			now()
		FROM tickets t WHERE t.created_at >= @from AND t.created_at < @to`
}

// RollupWeek recomputes week w's rollups from the tickets, replacing what
// an earlier run wrote, in a transaction of its own: running it again gives
// the same rows, and a reader sees either the old rollup or the new one.
// SLA compliance is counted under rule.
func (s *Store) RollupWeek(ctx context.Context, w Week, rule SLARule) error {
	if err := rule.check(); err != nil {
		return err
	}
	args := map[string]any{"day": w.Start().Format(time.DateOnly), "from": w.Start(), "to": w.End()}
	return s.WithTx(ctx, func(ctx context.Context) error {
		db := s.conn(ctx)
		for _, q := range []string{rollupLockSQL, rollupClearSQL, rollupDaysSQL, rollupWeekSQL(rule)} {
			if err := db.Exec(q, args).Error; err != nil {
				return fmt.Errorf("roll up %s: %w", w, err)
			}
		}
		return nil
	})
}

// WeeklyReport is one week's figures as the rollups hold them.
type WeeklyReport struct {
	Week       Week
	Days       [7]ReportDay            // Monday first
	ByCategory map[ticket.Category]int // tickets created in the week
	// BacklogEnd counts the tickets created before the week's end and still
	// open then.
	BacklogEnd int
	// FirstResponseMedianSeconds is over the week's tickets that got a first
	// response; nil when none did.
	FirstResponseMedianSeconds *float64
	// SLAMet counts the week's tickets that met their SLA, SLATotal those
	// whose SLA is decided (met or missed), by the rule rolled up with.
	SLAMet, SLATotal int
	ComputedAt       time.Time
}

// ReportDay is one WIB calendar day of a weekly report.
type ReportDay struct {
	Date     time.Time // 00:00 WIB
	Created  map[ticket.Channel]int
	Resolved map[ticket.Channel]int
}

// Created counts the tickets created in the week.
func (r *WeeklyReport) Created() int {
	n := 0
	for _, d := range r.Days {
		n += sum(d.Created)
	}
	return n
}

// Resolved counts the tickets resolved in the week.
func (r *WeeklyReport) Resolved() int {
	n := 0
	for _, d := range r.Days {
		n += sum(d.Resolved)
	}
	return n
}

func sum[K comparable](m map[K]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

type reportRow struct {
	BacklogEnd                 int
	FirstResponseMedianSeconds *float64
	SLAMet                     int `gorm:"column:sla_met"`
	SLATotal                   int `gorm:"column:sla_total"`
	ComputedAt                 time.Time
	Day                        *string
	Channel                    *string
	Category                   *string
	Created                    int
	Resolved                   int
}

// One statement, so the week's row and its days come from one snapshot
// even while a rollup replaces them.
const weeklyReportSQL = `SELECT w.backlog_end, w.first_response_median_seconds, w.sla_met, w.sla_total, w.computed_at,
		to_char(d.day, 'YYYY-MM-DD') AS day, d.channel, d.category, coalesce(d.created, 0) AS created,
		coalesce(d.resolved, 0) AS resolved
	FROM report_weekly w LEFT JOIN report_daily d ON d.day >= w.week_start AND d.day < w.week_start + 7
	WHERE w.week_start = ?`

// WeeklyReport reads week w's report from the rollups alone. It is
// ENOTFOUND when the week was never rolled up.
func (s *Store) WeeklyReport(ctx context.Context, w Week) (WeeklyReport, error) {
	var rows []reportRow
	if err := s.conn(ctx).Raw(weeklyReportSQL, w.Start().Format(time.DateOnly)).Scan(&rows).Error; err != nil {
		return WeeklyReport{}, err
	}
	if len(rows) == 0 {
		return WeeklyReport{}, ticket.Errorf(ticket.ENOTFOUND,
			"Minggu %s belum direkap. / Week %s has not been rolled up.", w, w)
	}
	r := WeeklyReport{Week: w, ByCategory: map[ticket.Category]int{}, BacklogEnd: rows[0].BacklogEnd,
		FirstResponseMedianSeconds: rows[0].FirstResponseMedianSeconds, SLAMet: rows[0].SLAMet,
		SLATotal: rows[0].SLATotal, ComputedAt: rows[0].ComputedAt}
	start := w.Start()
	for i := range r.Days {
		r.Days[i] = ReportDay{Date: start.AddDate(0, 0, i), Created: map[ticket.Channel]int{},
			Resolved: map[ticket.Channel]int{}}
	}
	for _, row := range rows {
		if row.Day == nil {
			continue // a week without tickets
		}
		day, err := time.ParseInLocation(time.DateOnly, *row.Day, ticket.Jakarta)
		i := int(day.Sub(start).Hours()) / 24
		if err != nil || i < 0 || i >= len(r.Days) {
			return WeeklyReport{}, fmt.Errorf("report %s: day %q outside the week", w, *row.Day)
		}
		ch, cat := ticket.Channel(*row.Channel), ticket.Category(*row.Category)
		r.Days[i].Created[ch] += row.Created
		r.Days[i].Resolved[ch] += row.Resolved
		r.ByCategory[cat] += row.Created
	}
	return r, nil
}
