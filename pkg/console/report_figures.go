package console

import (
	"fmt"
	"math"
	"strings"

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
	if r.SLATotal > 0 {
		v := math.Round(float64(r.SLAMet)/float64(r.SLATotal)*1e4) / 1e4
		s.Compliance = &v
	}
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
	return strings.Replace(fmt.Sprintf("%.2f%%", *s.Compliance*100), ".", ",", 1)
}

// MedianText is the median first response as hours and minutes (3 j 05 m),
// or "–" when no ticket got one.
func (s ReportSummary) MedianText() string {
	if s.FirstResponseMedian == nil {
		return "–"
	}
	return DurationText(*s.FirstResponseMedian)
}

// DurationText renders seconds as days, hours and minutes the way the desk
// says them: "2 h 03 j", "3 j 05 m", "12 m".
func DurationText(seconds float64) string {
	m := int64(math.Round(seconds / 60))
	switch d, h := m/(24*60), m/60%24; {
	case d > 0:
		return fmt.Sprintf("%d h %02d j", d, h)
	case h > 0:
		return fmt.Sprintf("%d j %02d m", h, m%60)
	}
	return fmt.Sprintf("%d m", m)
}

var channelNames = map[ticket.Channel]string{ticket.ChannelEmail: "Email", ticket.ChannelCallCenter: "Telepon 119",
	ticket.ChannelWhatsApp: "WhatsApp", ticket.ChannelSMS: "SMS"}

// channelName is a channel as the desk calls it.
func channelName(ch ticket.Channel) string {
	if n, ok := channelNames[ch]; ok {
		return n
	}
	return string(ch)
}

var categoryNames = map[ticket.Category]string{
	ticket.CategoryCertificateMissing:   "Sertifikat belum muncul",
	ticket.CategoryCertificateDataError: "Data vaksin di sertifikat salah",
	ticket.CategoryPersonalDataChange:   "Ubah data diri",
	ticket.CategoryNIKConflict:          "NIK dipakai orang lain",
	ticket.CategoryVaccinationStatus:    "Status vaksinasi",
	ticket.CategoryAppIssue:             "Masalah aplikasi",
	ticket.CategoryOther:                "Lainnya",
}

// categoryName is a category as the desk calls it.
func categoryName(c ticket.Category) string {
	if n, ok := categoryNames[c]; ok {
		return n
	}
	return string(c)
}

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
	for _, ch := range reportChannels(r) {
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
	for _, c := range reportCategories(r) {
		byCategory.Labels = append(byCategory.Labels, categoryName(c))
		byCategory.Series[0].Values = append(byCategory.Series[0].Values, float64(r.ByCategory[c]))
	}
	return []Chart{byChannel, flow, byCategory}
}
