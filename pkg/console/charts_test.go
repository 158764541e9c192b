package console

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// svgCheck parses an SVG and returns its root's attributes and every text
// it shows or names (text, title, desc), failing on XML that is not well
// formed: a browser would draw nothing.
func svgCheck(t *testing.T, svg string) (map[string]string, string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	attrs := map[string]string{}
	var text strings.Builder
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well formed: %v\n%s", err, svg)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				for _, a := range tok.Attr {
					attrs[a.Name.Local] = a.Value
				}
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			text.Write(tok)
			text.WriteString("|")
		}
	}
	return attrs, text.String()
}

func TestChartSVGIsAccessibleAndEscaped(t *testing.T) {
	for _, kind := range []ChartKind{StackedBars, Lines, HorizontalBars} {
		c := Chart{ID: "c1", Kind: kind, Title: "Tiket <per> hari", Desc: "Angka & tabel",
			Labels: []string{"Sen", `<script>alert(1)</script>`},
			Series: []Series{{Name: "Email", Values: []float64{1200, 30}}, {Name: "WhatsApp", Values: []float64{5}}}}
		svg := string(c.SVG())
		attrs, text := svgCheck(t, svg)
		if attrs["role"] != "img" || attrs["aria-labelledby"] != "c1-title c1-desc" {
			t.Errorf("kind %d: root attributes %v, want role=img labelled by its title and desc", kind, attrs)
		}
		for _, want := range []string{"Tiket <per> hari", "Angka & tabel", "<script>alert(1)</script>", "1.200"} {
			if !strings.Contains(text, want) {
				t.Errorf("kind %d: the SVG does not show %q (as text): %s", kind, want, text)
			}
		}
		if strings.Contains(svg, "<script") || strings.Contains(svg, "style=") {
			t.Errorf("kind %d: the SVG carries markup the CSP or an attacker cares about:\n%s", kind, svg)
		}
		if !strings.Contains(svg, `id="c1-title"`) || !strings.Contains(svg, `id="c1-desc"`) {
			t.Errorf("kind %d: the ids aria-labelledby names are missing", kind)
		}
	}
}

func TestChartTableHoldsTheSameFigures(t *testing.T) {
	c := Chart{Title: "Per hari", Labels: []string{"Sen", "Sel"},
		Series: []Series{{Name: "Dibuat", Values: []float64{134000, 2}}, {Name: "Diselesaikan", Values: []float64{7}}}}
	got := c.Table()
	want := ChartTable{Caption: "Per hari", Header: []string{"", "Dibuat", "Diselesaikan"},
		Rows: [][]string{{"Sen", "134.000", "7"}, {"Sel", "2", "0"}}}
	if strings.Join(got.Header, ",") != strings.Join(want.Header, ",") || len(got.Rows) != 2 ||
		strings.Join(got.Rows[0], ",") != strings.Join(want.Rows[0], ",") ||
		strings.Join(got.Rows[1], ",") != strings.Join(want.Rows[1], ",") || got.Caption != want.Caption {
		t.Fatalf("Table() = %+v, want %+v", got, want)
	}
}

func TestFormatCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1.000", 134000: "134.000",
		1234567: "1.234.567", -4500: "-4.500"} {
		if got := FormatCount(n); got != want {
			t.Errorf("FormatCount(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestNiceCeil(t *testing.T) {
	for v, want := range map[float64]float64{0: 4, 3: 4, 5: 8, 9: 10, 41: 80, 134000: 200000, 21000: 40000} {
		if got := niceCeil(v); got != want {
			t.Errorf("niceCeil(%v) = %v, want %v", v, got, want)
		}
		if got := niceCeil(v); got < v {
			t.Errorf("niceCeil(%v) = %v cuts the top off", v, got)
		}
	}
}

// sampleReport is week 2021-W45 with a few figures on Monday and Tuesday.
func sampleReport() store.WeeklyReport {
	w, _ := store.ParseWeek("2021-W45")
	median := 11100.0
	r := store.WeeklyReport{Week: w, BacklogEnd: 52, FirstResponseMedianSeconds: &median, SLAMet: 7, SLATotal: 9,
		ByCategory: map[ticket.Category]int{ticket.CategoryCertificateMissing: 20, ticket.CategoryAppIssue: 4},
		ComputedAt: time.Date(2021, 11, 15, 0, 5, 0, 0, time.UTC)}
	for i := range r.Days {
		r.Days[i] = store.ReportDay{Date: w.Start().AddDate(0, 0, i), Created: map[ticket.Channel]int{},
			Resolved: map[ticket.Channel]int{}}
	}
	r.Days[0].Created[ticket.ChannelEmail] = 15
	r.Days[0].Created[ticket.ChannelCallCenter] = 5
	r.Days[1].Created[ticket.ChannelWhatsApp] = 4
	r.Days[1].Resolved[ticket.ChannelEmail] = 6
	return r
}

func TestReportCharts(t *testing.T) {
	charts := ReportCharts(sampleReport())
	if len(charts) != 3 {
		t.Fatalf("%d charts, want 3", len(charts))
	}
	ids := map[string]bool{}
	for _, c := range charts {
		if ids[c.ID] {
			t.Errorf("chart id %s twice on one page", c.ID)
		}
		ids[c.ID] = true
		svgCheck(t, string(c.SVG()))
	}
	byChannel := charts[0].Table()
	if got := strings.Join(byChannel.Rows[0], ","); got != "Sen 08/11,15,5,0,0" {
		t.Errorf("Monday by channel = %s", got)
	}
	flow := charts[1].Table()
	if got := strings.Join(flow.Rows[1], ","); got != "Sel 09/11,4,6" {
		t.Errorf("Tuesday created, resolved = %s", got)
	}
	cat := charts[2].Table()
	if got := strings.Join(cat.Rows[0], ","); got != "Sertifikat tidak muncul,20" {
		t.Errorf("first category row = %s", got)
	}
	s := summarize(sampleReport())
	if s.Created != 24 || s.Resolved != 6 || s.ComplianceText() != "77,78%" || s.MedianText() != "3 j 05 m" {
		t.Errorf("summary %+v: compliance %s, median %s", s, s.ComplianceText(), s.MedianText())
	}
}
