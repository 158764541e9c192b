package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// reportsHandler is the API with the weekly report wired to the app's
// store, its clock at now.
func (h *harness) reportsHandler(now time.Time) http.Handler {
	a := h.app
	return httpapi.New(httpapi.Config{Users: a.Store, Tickets: a.Store, Ingester: a.Ingester, Desk: a.Desk,
		Reports: a.Reports, Log: a.Log, TokenTTL: a.Config.TokenTTL, Now: func() time.Time { return now }})
}

func wibAt(d, hh, mm int) time.Time {
	return time.Date(2021, time.November, d, hh, mm, 0, 0, ticket.Jakarta)
}

// seedWeek45 writes tickets in and around 2021-W45 (8 to 14 November 2021,
// WIB) whose report is worked out by hand in TestWeeklyReportJSON.
func seedWeek45(t *testing.T, dbURL string) {
	t.Helper()
	cid := storetest.Count(t, dbURL, `INSERT INTO complainants (name) VALUES ('Siti Aminah') RETURNING id`)
	at := func(v time.Time) *time.Time { return &v }
	for i, tk := range []struct {
		channel, category, status string
		created                   time.Time
		resolved, updated         *time.Time
		firstResponse             time.Duration // 0: none yet
		breached                  bool
	}{
		// Sunday 23:30 WIB: W44, still open at W45's end.
		{"email", "other", "new", wibAt(7, 23, 30), nil, nil, 0, false},
		// Monday 00:30 WIB, Sunday 17:30 UTC: W45. Answered in 10 minutes.
		{"whatsapp", "app_issue", "open", wibAt(8, 0, 30), nil, nil, 10 * time.Minute, false},
		{"email", "certificate_missing", "resolved", wibAt(8, 9, 0), at(wibAt(9, 10, 0)), nil, 30 * time.Minute, false},
		// Solved on the call, but its SLA was marked breached.
		{"callcenter", "certificate_missing", "closed", wibAt(10, 14, 0), at(wibAt(10, 14, 5)), nil, time.Minute, true},
		// The last minute of W45, not answered yet.
		{"callcenter", "nik_conflict", "new", wibAt(14, 23, 59), nil, nil, 0, false},
		// Monday 00:00 WIB: W46, not in W45's backlog either.
		{"sms", "other", "new", wibAt(15, 0, 0), nil, nil, 0, false},
		// From W44, resolved in W45.
		{"email", "personal_data_change", "resolved", wibAt(5, 8, 0), at(wibAt(11, 8, 0)), nil, 0, false},
		// From W44, closed as a duplicate in W45 without a resolution.
		{"sms", "other", "closed", wibAt(4, 8, 0), nil, at(wibAt(9, 8, 0)), 0, false},
	} {
		updated := tk.created
		if tk.updated != nil {
			updated = *tk.updated
		}
		var responded *time.Time
		if tk.firstResponse > 0 {
			responded = at(tk.created.Add(tk.firstResponse))
		}
		storetest.Exec(t, dbURL, `INSERT INTO tickets (number, channel, category, status, priority, complainant_id,
			created_at, updated_at, resolved_at, first_response_due, first_responded_at, sla_breached)
			VALUES ($1, $2, $3, $4, 'normal', $5, $6, $7, $8, $9, $10, $11)`,
			fmt.Sprintf("PL-211101-%06d", i+1), tk.channel, tk.category, tk.status, cid, tk.created, updated,
			tk.resolved, tk.created.Add(24*time.Hour), responded, tk.breached)
	}
}

type weeklyReportOut struct {
	Week    string    `json:"week"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Created struct {
		Total     int            `json:"total"`
		ByChannel map[string]int `json:"by_channel"`
		ByDay     []struct {
			Date      string         `json:"date"`
			Total     int            `json:"total"`
			ByChannel map[string]int `json:"by_channel"`
		} `json:"by_day"`
	} `json:"created"`
	ByCategory                 map[string]int `json:"by_category"`
	Resolved                   int            `json:"resolved"`
	BacklogEnd                 int            `json:"backlog_end"`
	FirstResponseMedianSeconds *float64       `json:"first_response_median_seconds"`
	SLA                        struct {
		Met        int      `json:"met"`
		Total      int      `json:"total"`
		Compliance *float64 `json:"compliance"`
	} `json:"sla"`
}

func TestWeeklyReportJSON(t *testing.T) {
	h := newHarness(t)
	dbURL := h.app.Config.DatabaseURL
	seedWeek45(t, dbURL)
	api := h.reportsHandler(time.Now())
	sup := h.token(t, h.supervisor)

	// Never rolled up: computed on this first request, and kept.
	var r weeklyReportOut
	h.callOn(t, api, "GET", "/api/v1/reports/weekly?week=2021-W45", sup, nil).must(t, http.StatusOK).decode(t, &r)
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM report_weekly WHERE week_start = '2021-11-08'`); n != 1 {
		t.Fatalf("the week computed on demand was not kept: %d rows", n)
	}
	if r.Week != "2021-W45" || !r.From.Equal(wibAt(8, 0, 0)) || !r.To.Equal(wibAt(15, 0, 0)) {
		t.Errorf("week %s from %s to %s", r.Week, r.From, r.To)
	}
	if _, off := r.From.Zone(); off != 7*3600 {
		t.Errorf("from %s is not written in WIB", r.From)
	}
	c := r.Created
	if c.Total != 4 || c.ByChannel["email"] != 1 || c.ByChannel["whatsapp"] != 1 || c.ByChannel["callcenter"] != 2 ||
		c.ByChannel["sms"] != 0 || len(c.ByChannel) != 4 {
		t.Errorf("created %+v, want 4: email 1, whatsapp 1, callcenter 2, sms 0", c)
	}
	days := map[string]int{}
	for _, d := range c.ByDay {
		days[d.Date] = d.Total
	}
	if len(c.ByDay) != 7 || c.ByDay[0].Date != "2021-11-08" || c.ByDay[6].Date != "2021-11-14" ||
		days["2021-11-08"] != 2 || c.ByDay[0].ByChannel["whatsapp"] != 1 || days["2021-11-10"] != 1 ||
		days["2021-11-14"] != 1 || days["2021-11-07"] != 0 || c.ByDay[6].ByChannel["callcenter"] != 1 {
		t.Errorf("by day %+v", c.ByDay)
	}
	if r.ByCategory["certificate_missing"] != 2 || r.ByCategory["app_issue"] != 1 || r.ByCategory["nik_conflict"] != 1 ||
		r.ByCategory["other"] != 0 || len(r.ByCategory) != len(ticket.Categories) {
		t.Errorf("by category %v", r.ByCategory)
	}
	if r.Resolved != 3 || r.BacklogEnd != 3 {
		t.Errorf("resolved %d, backlog at the end %d; want 3 and 3", r.Resolved, r.BacklogEnd)
	}
	if r.FirstResponseMedianSeconds == nil || *r.FirstResponseMedianSeconds != 600 {
		t.Errorf("median first response %v, want 600 s", r.FirstResponseMedianSeconds)
	}
	// Of W45's four tickets the two still open are not decided; the one
	// resolved in time met its SLA, the one marked breached missed it.
	if r.SLA.Met != 1 || r.SLA.Total != 2 || r.SLA.Compliance == nil || *r.SLA.Compliance != 0.5 {
		t.Errorf("sla %+v, want 1 of 2", r.SLA)
	}

	// Later requests read the rollup, not the tickets, until it is redone.
	storetest.Exec(t, dbURL, `DELETE FROM tickets WHERE channel = 'whatsapp'`)
	h.callOn(t, api, "GET", "/api/v1/reports/weekly?week=2021-W45&format=json", sup, nil).must(t, http.StatusOK).decode(t, &r)
	if r.Created.Total != 4 {
		t.Errorf("created %d after a ticket was deleted, want the rollup's 4", r.Created.Total)
	}
	w45, _ := store.ParseWeek("2021-W45")
	if err := h.app.Reports.RollupWeek(context.Background(), w45); err != nil {
		t.Fatal(err)
	}
	h.callOn(t, api, "GET", "/api/v1/reports/weekly?week=2021-W45", sup, nil).must(t, http.StatusOK).decode(t, &r)
	if r.Created.Total != 3 {
		t.Errorf("created %d after the rollup was redone, want 3", r.Created.Total)
	}

	// A week without tickets: zeros, no median, no compliance.
	h.callOn(t, api, "GET", "/api/v1/reports/weekly?week=2021-W01", sup, nil).must(t, http.StatusOK).decode(t, &r)
	if r.Created.Total != 0 || r.FirstResponseMedianSeconds != nil || r.SLA.Compliance != nil || len(r.Created.ByDay) != 7 {
		t.Errorf("empty week: %+v", r)
	}
}

func TestWeeklyReportCSV(t *testing.T) {
	h := newHarness(t)
	seedWeek45(t, h.app.Config.DatabaseURL)
	api := h.reportsHandler(time.Now())
	res := h.callOn(t, api, "GET", "/api/v1/reports/weekly?week=2021-W45&format=csv", h.token(t, h.admin), nil).
		must(t, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="aduan-2021-W45.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, res.Body)
	}
	if len(rows) != 1+2*7*4+len(ticket.Categories)+7 || fmt.Sprint(rows[0]) != "[week date channel category metric value]" {
		t.Fatalf("%d rows, header %v:\n%s", len(rows), rows[0], res.Body)
	}
	values := map[string]string{}
	for _, r := range rows[1:] {
		if r[0] != "2021-W45" {
			t.Errorf("row %v is not for 2021-W45", r)
		}
		values[fmt.Sprint(r[1:5])] = r[5]
	}
	for key, want := range map[string]string{
		"[2021-11-08 whatsapp  created]":     "1", // 00:30 WIB Monday, a Sunday in UTC
		"[2021-11-08 email  created]":        "1",
		"[2021-11-08 sms  created]":          "0",
		"[2021-11-14 callcenter  created]":   "1", // 23:59 WIB Sunday
		"[2021-11-09 email  resolved]":       "1",
		"[2021-11-10 callcenter  resolved]":  "1",
		"[2021-11-11 email  resolved]":       "1",
		"[2021-11-12 whatsapp  resolved]":    "0",
		"[2021-11-07 email  created]":        "", // W44: no such row
		"[2021-11-15 sms  created]":          "", // W46
		"[  certificate_missing created]":    "2",
		"[  certificate_data_error created]": "0",
		"[   created]":                       "4",
		"[   resolved]":                      "3",
		"[   backlog_end]":                   "3",
		"[   first_response_median_seconds]": "600",
		"[   sla_met]":                       "1",
		"[   sla_total]":                     "2",
		"[   sla_compliance]":                "0.5",
	} {
		if got := values[key]; got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
}

func TestWeeklyReportAccessAndInput(t *testing.T) {
	h := newHarness(t)
	// The API's clock stands on Wednesday of W45: W46 has not begun.
	api := h.reportsHandler(wibAt(10, 12, 0))
	sup := h.token(t, h.supervisor)
	const path = "/api/v1/reports/weekly?week=2021-W45"

	h.callOn(t, api, "GET", path, "", nil).expectError(t, http.StatusUnauthorized, ticket.EUNAUTHORIZED)
	h.callOn(t, api, "GET", path, h.token(t, h.agent), nil).expectError(t, http.StatusForbidden, ticket.EFORBIDDEN)
	h.callOn(t, api, "GET", path, sup, nil).expect(t, http.StatusOK)
	h.callOn(t, api, "GET", path+"&format=csv", h.token(t, h.admin), nil).expect(t, http.StatusOK)

	for _, tt := range []struct {
		query  string
		fields []string
	}{
		{"", []string{"week"}},
		{"?week=", []string{"week"}},
		{"?week=2021-W53", []string{"week"}},
		{"?week=2021-W00", []string{"week"}},
		{"?week=2021-45", []string{"week"}},
		{"?week=2021-11-08", []string{"week"}},
		{"?week=1999-W52", []string{"week"}},
		{"?week=2021-W45&format=xml", []string{"format"}},
		{"?week=2021-W45&format=", []string{"format"}},
		{"?week=2021-W45&format=CSV", []string{"format"}},
		{"?week=W45&format=pdf", []string{"week", "format"}},
	} {
		t.Run(tt.query, func(t *testing.T) {
			e := h.callOn(t, api, "GET", "/api/v1/reports/weekly"+tt.query, sup, nil).
				expectError(t, http.StatusUnprocessableEntity, ticket.EINVALID, tt.fields...)
			if len(e.Error.Fields) != len(tt.fields) {
				t.Errorf("fields %v, want only %v", e.Error.Fields, tt.fields)
			}
		})
	}

	e := h.callOn(t, api, "GET", "/api/v1/reports/weekly?week=2021-W46", sup, nil).
		expectError(t, http.StatusNotFound, ticket.ENOTFOUND)
	if n := storetest.Count(t, h.app.Config.DatabaseURL, `SELECT count(*) FROM report_weekly WHERE week_start = '2021-11-15'`); n != 0 {
		t.Errorf("a week that has not begun was rolled up (%s)", e.Error.Message)
	}

	// Without the rollups wired in, the route says so instead of failing.
	a := h.app
	bare := httpapi.New(httpapi.Config{Users: a.Store, Tickets: a.Store, Ingester: a.Ingester, Desk: a.Desk,
		Log: a.Log, TokenTTL: a.Config.TokenTTL})
	h.callOn(t, bare, "GET", path, sup, nil).expectError(t, http.StatusServiceUnavailable, ticket.EUNAVAILABLE)
}
