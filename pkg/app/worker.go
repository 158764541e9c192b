package app

import (
	"time"

	"context"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/documents"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/retention"
	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/tasks"
)

// ErrNoSMTP means no relay is configured for outgoing mail.
var ErrNoSMTP = errors.New("no SMTP relay configured: set ADUAN_SMTP_ADDR")

// Worker builds the task worker with every handler this configuration
// can run: mail needs an SMTP relay.
func (a *App) Worker() (*tasks.Worker, error) {
	w := tasks.NewWorker(a.Redis, tasks.WorkerConfig{Concurrency: a.Config.WorkerConcurrency,
		Outbox: a.Store}, a.Log)
	tasks.NewRouteHandler(a.Router, a.Log).Register(w)
	tasks.NewSLAScan(sla.NewScanner(a.Store, a.Rules.SLA, a.Log), a.Log).Register(w)
	tasks.NewReportRollup(a.Store, a.Log).Register(w)
	tasks.NewRetentionPurge(a.Purger(), a.Log).Register(w)
	checker, err := documents.NewChecker(documents.WithOCR(true))
	if err != nil {
		return nil, fmt.Errorf("document checks: %w", err)
	}
	a.Log.Info("document checks", "heic_decoding", checker.HEIFAvailable(), "ocr", checker.OCRAvailable())
	tasks.NewDocumentsCheck(documents.NewReviewer(a.Store, a.Blobs, checker, a.Log)).Register(w)
	a.registerWhatsApp(w)
	smtp := notify.SMTPSettings{Addr: a.Config.SMTP.Addr, User: a.Config.SMTP.User, Password: a.Config.SMTP.Password,
		TLS: a.Config.SMTP.TLS, From: a.Config.SMTP.From}
	if smtp.Addr == "" {
		a.Log.Warn("outgoing mail is off: acknowledgements and replies wait in the outbox", "reason", ErrNoSMTP.Error())
		return w, nil
	}
	if err := smtp.Validate(); err != nil {
		return nil, err
	}
	n, err := notify.NewNotifier(a.Store, notify.NewSMTPSender(smtp), configs.Templates, notify.Settings{
		From: smtp.From, AckPerSenderPerHour: a.Config.SMTP.AckPerSenderPerHour, AnswerWait: a.Config.SMTP.AnswerWait,
		AttachmentLimit: fmt.Sprintf("%d MB", a.Config.IMAP.MaxAttachment>>20),
		MailLimit:       fmt.Sprintf("%d MB", a.Config.IMAP.MaxMail>>20),
	}, a.Log)
	if err != nil {
		return nil, err
	}
	a.whatsAppDocs(n)
	tasks.NewNotifyHandler(n).Register(w)
	reportMail, err := notify.NewReportMailer(notify.NewSMTPSender(smtp), configs.Templates, smtp.From, PublicURL(a.Config))
	if err != nil {
		return nil, err
	}
	tasks.NewWeeklyMail(sla.Reports{Store: a.Store}, a.Store, reportMail, a.Log).Register(w)
	return w, nil
}

// Purger returns retention's purge as configured.
func (a *App) Purger() *retention.Purger {
	return retention.NewPurger(a.Store, a.Blobs, a.Config.RetentionSettings(), a.Log)
}

// RunWorker runs the task worker and the outbox relay until ctx ends.
func (a *App) RunWorker(ctx context.Context) error {
	w, err := a.Worker()
	if err != nil {
		return err
	}
	queue := tasks.NewQueue(a.Redis)
	relay := tasks.NewRelay(a.Store, queue, w.Types(), a.Log)
	relay.Again = a.Config.OutboxRelayAgain
	if len(a.Config.WhatsApp.Numbers()) > 0 {
		// A bot's answer crosses the outbox three times while a person
		// waits; an idle relay looks again after 50 ms, not 200.
		relay.Interval = 50 * time.Millisecond
	}
	periodic := []tasks.Periodic{
		{TaskType: tasks.TaskSLAScan, Every: tasks.SLAScanEvery},
		{TaskType: tasks.TaskReportsRollup, Every: tasks.RollupEvery},
	}
	if slices.Contains(w.Types(), tasks.TaskReportsMail) { // only with an SMTP relay
		periodic = append(periodic, tasks.Periodic{TaskType: tasks.TaskReportsMail, Every: tasks.ReportMailEvery})
	}
	// The bot's records are purged by the same run, retention period or not.
	if !a.Config.RetentionSettings().Period.Off() || len(a.Config.WhatsApp.Numbers()) > 0 {
		periodic = append(periodic, tasks.Periodic{TaskType: tasks.TaskRetentionPurge, Every: tasks.RetentionEvery})
	}
	scheduler := tasks.NewScheduler(queue, periodic, a.Log)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return w.Run(ctx) })
	g.Go(func() error { return relay.Run(ctx) })
	g.Go(func() error { return scheduler.Run(ctx) })
	return g.Wait()
}
