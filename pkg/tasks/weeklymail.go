package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// TaskReportsMail mails last week's report to every supervisor once it is
// Monday 07:00 WIB. The scheduler queues it every ReportMailEvery; a run
// before the hour, or after everyone got the week's mail, does nothing, so
// a worker that was down at 07:00 sends it when it comes back.
const TaskReportsMail = "reports:mail"

// ReportMailEvery is how often the scheduler queues reports:mail: the
// Monday mail goes out at most this long after 07:00 WIB.
const ReportMailEvery = 5 * time.Minute

// ReportMailHour is when, on Monday (WIB), last week's report goes out.
const ReportMailHour = 7 * time.Hour

// WeeklyReports reads a week's report from the rollups and rolls up a week
// that never was; sla.Reports is one, the same the API answers
// GET /reports/weekly with.
type WeeklyReports interface {
	WeeklyReport(ctx context.Context, w store.Week) (store.WeeklyReport, error)
	RollupWeek(ctx context.Context, w store.Week) error
}

// ReportMailStore names the recipients and records each mail once.
type ReportMailStore interface {
	ReportMailRecipients(ctx context.Context) ([]ticket.User, error)
	ReportMailOnce(ctx context.Context, w store.Week, userID int64, send func(ctx context.Context) error) (bool, error)
}

// ReportMailer mails one supervisor a week's report; *notify.ReportMailer
// is one.
type ReportMailer interface {
	WeeklyReport(ctx context.Context, to ticket.User, r store.WeeklyReport) error
}

// WeeklyMail is the reports:mail handler.
type WeeklyMail struct {
	reports WeeklyReports
	store   ReportMailStore
	mail    ReportMailer
	log     *slog.Logger
	Now     func() time.Time // which Monday it is; default time.Now
}

// NewWeeklyMail returns the reports:mail handler.
func NewWeeklyMail(r WeeklyReports, s ReportMailStore, m ReportMailer, log *slog.Logger) *WeeklyMail {
	return &WeeklyMail{reports: r, store: s, mail: m, log: log, Now: time.Now}
}

// Register adds the reports:mail handler to w.
func (m *WeeklyMail) Register(w *Worker) { w.Handle(TaskReportsMail, m.HandleMail) }

// HandleMail mails last week's report to each supervisor who has not had
// it yet. One failed mail does not hold up the others; the run then fails,
// and the next one (ReportMailEvery later) tries those again.
func (m *WeeklyMail) HandleMail(ctx context.Context, _ *asynq.Task) error {
	now := m.Now()
	this := store.WeekOf(now)
	if now.Before(this.Start().Add(ReportMailHour)) {
		return nil
	}
	week := this.Prev()
	recipients, err := m.store.ReportMailRecipients(ctx)
	if err != nil || len(recipients) == 0 {
		return err
	}
	var report *store.WeeklyReport
	var failed []error
	for _, u := range recipients {
		sent, err := m.store.ReportMailOnce(ctx, week, u.ID, func(ctx context.Context) error {
			if report == nil { // read once, and only when someone still needs it
				r, err := m.read(ctx, week)
				if err != nil {
					return err
				}
				report = &r
			}
			return m.mail.WeeklyReport(ctx, u, *report)
		})
		switch {
		case err != nil:
			m.log.WarnContext(ctx, "weekly report not mailed", "week", week.String(), "user_id", u.ID, "err", err)
			failed = append(failed, err)
		case sent:
			m.log.InfoContext(ctx, "weekly report mailed", "week", week.String(), "user_id", u.ID)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("weekly report %s: %d of %d mails failed: %w", week, len(failed), len(recipients),
			errors.Join(failed...))
	}
	return nil
}

// read returns week w's report, rolling it up first when it never was, as
// the API does.
func (m *WeeklyMail) read(ctx context.Context, w store.Week) (store.WeeklyReport, error) {
	r, err := m.reports.WeeklyReport(ctx, w)
	if ticket.ErrorCode(err) == ticket.ENOTFOUND {
		if err = m.reports.RollupWeek(ctx, w); err == nil {
			r, err = m.reports.WeeklyReport(ctx, w)
		}
	}
	return r, err
}
