package sla

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aduan/aduan/pkg/store"
)

// ReportStore is the weekly report's storage, which counts compliance by
// the rule it is given.
type ReportStore interface {
	WeeklyReport(ctx context.Context, w store.Week) (store.WeeklyReport, error)
	RollupWeek(ctx context.Context, w store.Week, rule store.SLARule) error
}

// Reports is the weekly report with compliance counted by VerdictOf, for
// those that read and roll up reports without knowing the rule.
type Reports struct{ Store ReportStore }

// WeeklyReport reads week w's report from the rollups.
func (r Reports) WeeklyReport(ctx context.Context, w store.Week) (store.WeeklyReport, error) {
	return r.Store.WeeklyReport(ctx, w)
}

// RollupWeek recomputes week w's rollups, compliance by Compliance.
func (r Reports) RollupWeek(ctx context.Context, w store.Week) error {
	return r.Store.RollupWeek(ctx, w, Compliance)
}

// CountStore counts tickets by their SLA verdict.
type CountStore interface {
	SLACounts(ctx context.Context, from, to time.Time, rule store.SLARule) (met, missed, pending int64, err error)
}

// Metrics is a prometheus.Collector of aduan_sla_tickets: the current
// week's tickets (created since Monday 00:00 WIB) by verdict, the figures
// the weekly report will give, as they stand. Compliance is met / (met +
// missed).
type Metrics struct {
	store   CountStore
	log     *slog.Logger
	desc    *prometheus.Desc
	Now     func() time.Time // which week is current; default time.Now
	Timeout time.Duration    // bounds the query; default 3s
}

// NewMetrics returns the SLA collector; register it on the registry that
// /metrics serves.
func NewMetrics(s CountStore, log *slog.Logger) *Metrics {
	return &Metrics{store: s, log: log, Now: time.Now, Timeout: 3 * time.Second,
		desc: prometheus.NewDesc("aduan_sla_tickets",
			"Tickets created this week (from Monday 00:00 WIB) by SLA verdict: met, missed or pending.",
			[]string{"verdict"}, nil)}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) { ch <- m.desc }

// Collect implements prometheus.Collector. When the database does not
// answer, the series are left out of this scrape (and logged).
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), m.Timeout)
	defer cancel()
	w := store.WeekOf(m.Now())
	met, missed, pending, err := m.store.SLACounts(ctx, w.Start(), w.End(), Compliance)
	if err != nil {
		m.log.Warn("sla metrics not collected", "err", err)
		return
	}
	for v, n := range map[Verdict]int64{VerdictMet: met, VerdictMissed: missed, VerdictPending: pending} {
		ch <- prometheus.MustNewConstMetric(m.desc, prometheus.GaugeValue, float64(n), string(v))
	}
}
