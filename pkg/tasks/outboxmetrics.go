package tasks

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aduan/aduan/pkg/store"
)

// OutboxStatsStore is what the outbox metrics read.
type OutboxStatsStore interface {
	OutboxBacklog(ctx context.Context) (store.OutboxStats, error)
}

// OutboxMetrics is a prometheus.Collector of the outbox's unfinished
// work, read with one query per scrape: aduan_outbox_pending by state
// (waiting: not yet handed to Redis; relayed: handed over, not finished),
// aduan_outbox_oldest_pending_seconds and aduan_outbox_failed. A count of
// relayed rows that keeps growing while the queues are idle, or an oldest
// age past the relay's Again, means work is stuck.
type OutboxMetrics struct {
	store   OutboxStatsStore
	log     *slog.Logger
	pending *prometheus.Desc
	oldest  *prometheus.Desc
	failed  *prometheus.Desc
	Timeout time.Duration // bounds the query; default 3s
}

// NewOutboxMetrics returns the outbox collector; register it on the
// registry that /metrics serves.
func NewOutboxMetrics(s OutboxStatsStore, log *slog.Logger) *OutboxMetrics {
	return &OutboxMetrics{store: s, log: log, Timeout: 3 * time.Second,
		pending: prometheus.NewDesc("aduan_outbox_pending",
			"Outbox rows whose work is not finished, by state: waiting (not yet handed to the task queue) or relayed.",
			[]string{"state"}, nil),
		oldest: prometheus.NewDesc("aduan_outbox_oldest_pending_seconds",
			"Age of the oldest outbox row whose work is not finished, 0 when none.", nil, nil),
		failed: prometheus.NewDesc("aduan_outbox_failed",
			"Outbox rows whose work was given up (see their last_error).", nil, nil)}
}

// Describe implements prometheus.Collector.
func (m *OutboxMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.pending
	ch <- m.oldest
	ch <- m.failed
}

// Collect implements prometheus.Collector. When the database does not
// answer, the outbox series are left out of this scrape (and logged).
func (m *OutboxMetrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), m.Timeout)
	defer cancel()
	st, err := m.store.OutboxBacklog(ctx)
	if err != nil {
		m.log.Warn("outbox metrics not collected", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(m.pending, prometheus.GaugeValue, float64(st.Waiting), "waiting")
	ch <- prometheus.MustNewConstMetric(m.pending, prometheus.GaugeValue, float64(st.Relayed), "relayed")
	ch <- prometheus.MustNewConstMetric(m.oldest, prometheus.GaugeValue, st.Oldest.Seconds())
	ch <- prometheus.MustNewConstMetric(m.failed, prometheus.GaugeValue, float64(st.Failed))
}
