package console

import (
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// ReportSummary is the weekly report's totals, as the page, the exports
// and the Monday mail show them: read from the rollups, never counted
// again.
type ReportSummary struct {
	Week                store.Week
	Created, Resolved   int
	BacklogEnd          int
	SLAMet, SLATotal    int
	Compliance          *float64 // SLAMet / SLATotal to four places; nil when nothing is decided
	FirstResponseMedian *float64 // seconds; nil when no ticket got a first response
	ByChannel           map[ticket.Channel]int
}

func summarize(r store.WeeklyReport) ReportSummary {
	s := ReportSummary{Week: r.Week, Created: r.Created(), Resolved: r.Resolved(), BacklogEnd: r.BacklogEnd,
		SLAMet: r.SLAMet, SLATotal: r.SLATotal, FirstResponseMedian: r.FirstResponseMedianSeconds,
		ByChannel: map[ticket.Channel]int{}}
	s.Compliance = sla.WeeklyCompliance(r)
	for _, d := range r.Days {
		for ch, n := range d.Created {
			s.ByChannel[ch] += n
		}
	}
	return s
}

// ComplianceText is the SLA compliance as a percentage with a decimal
// comma (93,21%), or "–" when no ticket's SLA is decided yet.
func (s ReportSummary) ComplianceText() string {
	if s.Compliance == nil {
		return "–"
	}
	return notify.Percent(*s.Compliance)
}

// MedianText is the median first response as hours and minutes (3 j 05 m),
// or "–" when no ticket got one.
func (s ReportSummary) MedianText() string {
	if s.FirstResponseMedian == nil {
		return "–"
	}
	return notify.Duration(*s.FirstResponseMedian)
}

// channelName and categoryName are how the desk calls them; the Monday
// mail uses the same names.
func channelName(ch ticket.Channel) string  { return notify.ChannelName(ch) }
func categoryName(c ticket.Category) string { return notify.CategoryName(c) }

var dayNames = [7]string{"Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"}

// ReportCharts are the weekly report's figures drawn: tickets created per
// day by channel, created against resolved per day, and created per
// category. Each carries its table.
func ReportCharts(r store.WeeklyReport) []Chart {
	labels := make([]string, len(r.Days))
	for i, d := range r.Days {
		labels[i] = dayNames[i] + " " + d.Date.Format("02/01")
	}
	week := r.Week.String()
	byChannel := Chart{ID: "chart-channel", Kind: StackedBars, Labels: labels,
		Title: "Tiket masuk per hari dan kanal, " + week,
		Desc:  "Diagram batang bertumpuk: jumlah tiket yang dibuat setiap hari, dipecah per kanal. Angka yang sama ada di tabel."}
	for _, ch := range sla.WeeklyChannels(r) {
		s := Series{Name: channelName(ch)}
		for _, d := range r.Days {
			s.Values = append(s.Values, float64(d.Created[ch]))
		}
		byChannel.Series = append(byChannel.Series, s)
	}
	flow := Chart{ID: "chart-flow", Kind: Lines, Labels: labels,
		Title:  "Tiket dibuat dan diselesaikan per hari, " + week,
		Desc:   "Diagram garis: tiket yang dibuat dan yang diselesaikan setiap hari. Angka yang sama ada di tabel.",
		Series: []Series{{Name: "Dibuat"}, {Name: "Diselesaikan"}}}
	for _, d := range r.Days {
		flow.Series[0].Values = append(flow.Series[0].Values, float64(sumOf(d.Created)))
		flow.Series[1].Values = append(flow.Series[1].Values, float64(sumOf(d.Resolved)))
	}
	byCategory := Chart{ID: "chart-category", Kind: HorizontalBars,
		Title:  "Tiket masuk per kategori, " + week,
		Desc:   "Diagram batang: jumlah tiket yang dibuat dalam minggu ini per kategori. Angka yang sama ada di tabel.",
		Series: []Series{{Name: "Tiket"}}}
	for _, c := range sla.WeeklyCategories(r) {
		byCategory.Labels = append(byCategory.Labels, categoryName(c))
		byCategory.Series[0].Values = append(byCategory.Series[0].Values, float64(r.ByCategory[c]))
	}
	return []Chart{byChannel, flow, byCategory}
}
