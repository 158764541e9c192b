package notify

import (
	"context"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// ReportMailer mails the weekly report to supervisors: a summary of the
// week's figures as the rollups hold them, and a link to the report page
// with its charts and CSV and XLSX downloads. The figures are the ones GET
// /api/v1/reports/weekly gives; nothing here counts tickets.
type ReportMailer struct {
	send Sender
	tmpl mailTemplate
	from string
	// domain is the right side of the mail's Message-ID.
	domain string
	// reportURL is the report page's address, without the week; "" when
	// no public address is configured (the mail then names the console's
	// menu instead).
	reportURL string
}

// ReportPagePath is where the console serves the weekly report; the mail
// links to it with ?week=.
const ReportPagePath = "/console/laporan/mingguan"

// NewReportMailer returns a mailer sending through send from address from,
// with the template templates/weekly_report.txt of fsys
// (configs.Templates). publicURL is the console's address as supervisors
// reach it (ADUAN_PUBLIC_URL), or "".
func NewReportMailer(send Sender, fsys fs.FS, from, publicURL string) (*ReportMailer, error) {
	m := &ReportMailer{send: send, from: from, domain: domainOf(from)}
	if m.domain == "" {
		return nil, fmt.Errorf("notify: from %q is not an address", from)
	}
	if publicURL != "" {
		u, err := url.Parse(publicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("notify: public URL %q is not an http(s) address", publicURL)
		}
		m.reportURL = strings.TrimSuffix(publicURL, "/") + ReportPagePath
	}
	var err error
	if m.tmpl, err = parseMailTemplate(fsys, "weekly_report.txt"); err != nil {
		return nil, err
	}
	return m, nil
}

// reportView is what weekly_report.txt shows.
type reportView struct {
	Name, Week, From, To                     string
	Created, Resolved, Backlog, Met, Decided string
	Median, Compliance, Link                 string
	Channels, Categories                     []reportCount
}

type reportCount struct{ Name, Count string }

// WeeklyReport mails week r's report to supervisor to. Its Message-ID is
// derived from the week and the supervisor, so a mail sent again after a
// crash is recognisably the same mail.
func (m *ReportMailer) WeeklyReport(ctx context.Context, to ticket.User, r store.WeeklyReport) error {
	subject, body, err := m.tmpl.render(m.view(to, r))
	if err != nil {
		return err
	}
	return m.send.Send(ctx, OutgoingMail{From: m.from, To: to.Email, Subject: subject, Text: body,
		MessageID: fmt.Sprintf("<report.%s.%d@%s>", r.Week, to.ID, m.domain),
		Headers:   map[string]string{"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}})
}

func (m *ReportMailer) view(to ticket.User, r store.WeeklyReport) reportView {
	v := reportView{Name: to.Name, Week: r.Week.String(), From: r.Week.Start().Format("02/01/2006"),
		To: r.Week.End().AddDate(0, 0, -1).Format("02/01/2006"), Created: Count(r.Created()),
		Resolved: Count(r.Resolved()), Backlog: Count(r.BacklogEnd), Met: Count(r.SLAMet), Decided: Count(r.SLATotal),
		Median: "–", Compliance: "–"}
	if r.FirstResponseMedianSeconds != nil {
		v.Median = Duration(*r.FirstResponseMedianSeconds)
	}
	if c := sla.WeeklyCompliance(r); c != nil {
		v.Compliance = Percent(*c)
	}
	if m.reportURL != "" {
		v.Link = m.reportURL + "?week=" + r.Week.String()
	}
	byChannel := map[ticket.Channel]int{}
	for _, d := range r.Days {
		for ch, n := range d.Created {
			byChannel[ch] += n
		}
	}
	for _, ch := range ticket.Channels {
		v.Channels = append(v.Channels, reportCount{ChannelName(ch), Count(byChannel[ch])})
	}
	for _, c := range ticket.Categories {
		v.Categories = append(v.Categories, reportCount{CategoryName(c), Count(r.ByCategory[c])})
	}
	return v
}

var channelNames = map[ticket.Channel]string{ticket.ChannelEmail: "Email", ticket.ChannelCallCenter: "Telepon",
	ticket.ChannelWhatsApp: "WhatsApp", ticket.ChannelSMS: "SMS"}

// ChannelName is a channel as the desk calls it, in the console, reports and mail.
func ChannelName(ch ticket.Channel) string {
	if n, ok := channelNames[ch]; ok {
		return n
	}
	return string(ch)
}

var categoryNames = map[ticket.Category]string{
	ticket.CategoryCertificateMissing:   "Sertifikat tidak muncul",
	ticket.CategoryCertificateDataError: "Data sertifikat salah",
	ticket.CategoryPersonalDataChange:   "Perubahan data pribadi",
	ticket.CategoryNIKConflict:          "NIK dipakai orang lain",
	ticket.CategoryVaccinationStatus:    "Status vaksinasi",
	ticket.CategoryAppIssue:             "Masalah aplikasi",
	ticket.CategoryOther:                "Lainnya",
}

// CategoryName is a category as the desk calls it, in the console, reports and mail.
func CategoryName(c ticket.Category) string {
	if n, ok := categoryNames[c]; ok {
		return n
	}
	return string(c)
}

// Count writes a whole number with dots between thousands, as Indonesian
// readers expect: 134.000.
func Count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// Percent writes a share (0.9321) as a percentage with a decimal comma:
// 93,21%.
func Percent(share float64) string {
	return strings.Replace(strconv.FormatFloat(math.Round(share*1e4)/100, 'f', 2, 64), ".", ",", 1) + "%"
}

// Duration writes seconds as the desk says them: "2 h 03 j" (days and
// hours), "3 j 05 m" (hours and minutes), "12 m".
func Duration(seconds float64) string {
	m := int64(math.Round(seconds / 60))
	switch d, h := m/(24*60), m/60%24; {
	case d > 0:
		return fmt.Sprintf("%d h %02d j", d, h)
	case h > 0:
		return fmt.Sprintf("%d j %02d m", h, m%60)
	}
	return fmt.Sprintf("%d m", m)
}
