package tasks_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aduan/aduan/pkg/tasks"
)

// The outbox metrics count unfinished rows by state and given-up ones.
func TestOutboxMetrics(t *testing.T) {
	ctx := context.Background()
	s, _, _, relay := relayFixture(t)
	reg := prometheus.NewRegistry()
	reg.MustRegister(tasks.NewOutboxMetrics(s, quiet))
	gather := func() map[string]float64 {
		t.Helper()
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, f := range families {
			for _, m := range f.GetMetric() {
				name := f.GetName()
				for _, l := range m.GetLabel() {
					name += "{" + l.GetName() + `="` + l.GetValue() + `"}`
				}
				got[name] = m.GetGauge().GetValue()
			}
		}
		return got
	}

	empty := gather()
	if empty[`aduan_outbox_pending{state="waiting"}`] != 0 || empty[`aduan_outbox_pending{state="relayed"}`] != 0 ||
		empty["aduan_outbox_oldest_pending_seconds"] != 0 || len(empty) != 4 {
		t.Errorf("empty outbox: %v, want four series, all 0", empty)
	}

	addOutbox(t, s, 5)
	relay.Batch = 3
	if n, err := relay.RelayOnce(ctx); err != nil || n != 3 {
		t.Fatalf("relay: %d, %v", n, err)
	}
	if err := s.MarkOutboxDone(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkOutboxFailed(ctx, 2, "bad payload"); err != nil {
		t.Fatal(err)
	}
	got := gather()
	if got[`aduan_outbox_pending{state="waiting"}`] != 2 || got[`aduan_outbox_pending{state="relayed"}`] != 1 ||
		got["aduan_outbox_failed"] != 1 || got["aduan_outbox_oldest_pending_seconds"] <= 0 {
		t.Errorf("metrics = %v; want 2 waiting, 1 relayed, 1 failed, an age", got)
	}
}
