package console

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"

	"github.com/aduan/aduan/pkg/notify"
)

// ChartKind is how a chart draws its figures.
type ChartKind int

// The kinds of chart the report draws.
const (
	// StackedBars: one bar per label, each series a segment of it (the
	// week's tickets per day, split by channel).
	StackedBars ChartKind = iota
	// Lines: one line per series across the labels (created against
	// resolved, day by day).
	Lines
	// HorizontalBars: one bar per label, the first series only (tickets
	// per category, whose names are too long to stand under a bar).
	HorizontalBars
)

// Series is one named run of figures, a value per label of its chart.
type Series struct {
	Name   string
	Values []float64
}

// Chart is a set of figures drawn as an SVG image on the server, with the
// same figures as a table beside it: the image for the eye, the table for
// screen readers, copying and anyone who wants the exact number. No
// script draws it, so it shows as it is under the console's CSP.
type Chart struct {
	ID     string // unique on the page; the SVG's title and desc ids derive from it
	Title  string
	Desc   string // what the chart shows, read out by screen readers
	Kind   ChartKind
	Labels []string // the x axis (bars, lines) or the rows (horizontal bars)
	Series []Series
	// Format renders one figure for the axis, the tooltips and the table;
	// nil renders whole numbers the Indonesian way (134.000).
	Format func(float64) string
}

// ChartTable is a chart's figures as rows: Header is the label column's
// name then the series' names; each row a label then its figures.
type ChartTable struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// Palette distinguishes series; the legend and the table name them, so no
// figure is told by its colour alone. The colours keep 3:1 contrast on
// white (WCAG 1.4.11).
var Palette = []string{"#1f5fa8", "#b3541e", "#2e7d32", "#6a3d9a", "#8c6d00", "#c2185b"}

// dashes tell lines apart in grey print and for colour-blind readers.
var dashes = []string{"", "6 4", "2 3", "8 3 2 3"}

const (
	chartW, chartH                      = 640, 280
	padLeft, padRight, padTop, padBelow = 56, 16, 16, 56
)

// Table returns the chart's figures as a table.
func (c Chart) Table() ChartTable {
	t := ChartTable{Caption: c.Title, Header: []string{""}}
	for _, s := range c.Series {
		t.Header = append(t.Header, s.Name)
	}
	for i, l := range c.Labels {
		row := []string{l}
		for _, s := range c.Series {
			row = append(row, c.format(seriesValue(s, i)))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// SVG draws the chart. Every text in it is escaped.
func (c Chart) SVG() template.HTML {
	var b strings.Builder
	id := html.EscapeString(c.ID)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 %d %d" `+
		`aria-labelledby="%s-title %s-desc" focusable="false">`, chartW, chartH, id, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, svgText(c.Title), id, svgText(c.Desc))
	switch c.Kind {
	case HorizontalBars:
		c.drawHorizontal(&b)
	default:
		c.drawVertical(&b)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above went through esc
}

func (c Chart) drawVertical(b *strings.Builder) {
	top := 0.0
	for i := range c.Labels {
		switch c.Kind {
		case StackedBars:
			sum := 0.0
			for _, s := range c.Series {
				sum += seriesValue(s, i)
			}
			top = math.Max(top, sum)
		default:
			for _, s := range c.Series {
				top = math.Max(top, seriesValue(s, i))
			}
		}
	}
	top = niceCeil(top)
	plotW, plotH := float64(chartW-padLeft-padRight), float64(chartH-padTop-padBelow)
	y := func(v float64) float64 { return padTop + plotH - v/top*plotH }
	for k := 0; k <= 4; k++ { // gridlines and their figures
		v := top * float64(k) / 4
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#d0d7de" stroke-width="1"/>`,
			padLeft, chartW-padRight, y(v), y(v))
		fmt.Fprintf(b, `<text x="%d" y="%.1f" font-size="11" text-anchor="end" fill="#333">%s</text>`,
			padLeft-6, y(v)+4, svgText(c.format(v)))
	}
	n := max(1, len(c.Labels))
	slot := plotW / float64(n)
	for i, l := range c.Labels {
		cx := padLeft + slot*(float64(i)+0.5)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="#333">%s</text>`,
			cx, chartH-padBelow+16, svgText(l))
		if c.Kind != StackedBars {
			continue
		}
		base := 0.0
		for si, s := range c.Series {
			v := seriesValue(s, i)
			if v <= 0 {
				continue
			}
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %s</title></rect>`,
				cx-slot*0.3, y(base+v), slot*0.6, y(base)-y(base+v), Palette[si%len(Palette)],
				svgText(l), svgText(s.Name), svgText(c.format(v)))
			base += v
		}
	}
	if c.Kind == Lines {
		for si, s := range c.Series {
			var pts []string
			for i := range c.Labels {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", padLeft+slot*(float64(i)+0.5), y(seriesValue(s, i))))
			}
			dash := ""
			if d := dashes[si%len(dashes)]; d != "" {
				dash = ` stroke-dasharray="` + d + `"`
			}
			fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5"%s/>`,
				strings.Join(pts, " "), Palette[si%len(Palette)], dash)
			for i, l := range c.Labels {
				fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s, %s: %s</title></circle>`,
					padLeft+slot*(float64(i)+0.5), y(seriesValue(s, i)), Palette[si%len(Palette)],
					svgText(l), svgText(s.Name), svgText(c.format(seriesValue(s, i))))
			}
		}
	}
	c.legend(b, chartH-18)
}

func (c Chart) drawHorizontal(b *strings.Builder) {
	if len(c.Series) == 0 {
		return
	}
	s := c.Series[0]
	top := 0.0
	for i := range c.Labels {
		top = math.Max(top, seriesValue(s, i))
	}
	top = niceCeil(top)
	const labelW = 200
	left, plotW := float64(labelW), float64(chartW-labelW-padRight-56)
	slot := float64(chartH-2*padTop) / float64(max(1, len(c.Labels)))
	for i, l := range c.Labels {
		v := seriesValue(s, i)
		yTop := padTop + slot*float64(i)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="12" text-anchor="end" fill="#333">%s</text>`,
			left-8, yTop+slot*0.5+4, svgText(l))
		w := v / top * plotW
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`,
			left, yTop+slot*0.15, w, slot*0.7, Palette[0], svgText(l), svgText(c.format(v)))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="12" fill="#333">%s</text>`,
			left+w+6, yTop+slot*0.5+4, svgText(c.format(v)))
	}
}

// legend names each series beside its colour (and dash, for lines).
func (c Chart) legend(b *strings.Builder, y int) {
	x := float64(padLeft)
	for si, s := range c.Series {
		colour := Palette[si%len(Palette)]
		if c.Kind == Lines {
			dash := ""
			if d := dashes[si%len(dashes)]; d != "" {
				dash = ` stroke-dasharray="` + d + `"`
			}
			fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="%s" stroke-width="2.5"%s/>`,
				x, x+22, y-4, y-4, colour, dash)
		} else {
			fmt.Fprintf(b, `<rect x="%.1f" y="%d" width="12" height="12" fill="%s"/>`, x+5, y-10, colour)
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="12" fill="#333">%s</text>`, x+28, y, svgText(s.Name))
		x += 28 + 7.5*float64(len([]rune(s.Name))) + 18
	}
}

func (c Chart) format(v float64) string {
	if c.Format != nil {
		return c.Format(v)
	}
	return FormatCount(int64(math.Round(v)))
}

// FormatCount writes a whole number with dots between thousands, as
// Indonesian readers expect: 134.000 (notify.Count, which the Monday mail
// uses too).
func FormatCount(n int64) string { return notify.Count(int(n)) }

// niceCeil is the axis top for figures up to v: four gridline steps of
// 1, 2, 2.5 or 5 times a power of ten, never less than one step of 1 (the
// figures are counts), so the gridlines fall on round figures.
func niceCeil(v float64) float64 {
	step := v / 4
	if step <= 1 {
		return 4
	}
	p := math.Pow(10, math.Floor(math.Log10(step)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*p >= step {
			return 4 * m * p
		}
	}
	return 40 * p
}

func seriesValue(s Series, i int) float64 {
	if i < len(s.Values) {
		return s.Values[i]
	}
	return 0
}

func svgText(s string) string { return html.EscapeString(s) }
