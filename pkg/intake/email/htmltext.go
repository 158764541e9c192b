package email

import (
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText turns an HTML mail body into plain text for agents and for
// field extraction. Table rows become one line each with the cells joined
// by a TAB, because people paste the complaint form as a two-column table
// and "Nama Lengkap\tSiti" must stay on one line to be read as a field.
func HTMLToText(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil { // x/net/html only fails on a broken reader
		return ""
	}
	var w textWriter
	w.node(doc)
	return tidyLines(w.b.String())
}

// textWriter accumulates text. Line breaks are held back until the next
// text arrives, so adjacent blocks ask for a break without stacking up
// empty lines.
type textWriter struct {
	b       strings.Builder
	pending int  // newlines owed before the next text
	space   bool // a space is owed before the next text on the line
	pre     int  // depth of <pre>, where whitespace is kept
	quote   int  // depth of <blockquote>: its lines start with "> ", as a text part quotes
}

// hiddenElements carry no text a reader would see.
var hiddenElements = map[atom.Atom]bool{
	atom.Head: true, atom.Script: true, atom.Style: true, atom.Title: true,
	atom.Noscript: true, atom.Template: true, atom.Object: true, atom.Iframe: true,
}

// blockBreaks says how many newlines surround a block: paragraphs get a blank
// line, lines of layout (Gmail writes a <div> per line) just a newline.
var blockBreaks = map[atom.Atom]int{
	atom.P: 2, atom.H1: 2, atom.H2: 2, atom.H3: 2, atom.H4: 2, atom.H5: 2, atom.H6: 2,
	atom.Blockquote: 2, atom.Pre: 2, atom.Table: 2, atom.Ul: 2, atom.Ol: 2, atom.Dl: 2,
	atom.Hr: 2, atom.Form: 2, atom.Fieldset: 2,
	atom.Div: 1, atom.Li: 1, atom.Dt: 1, atom.Dd: 1, atom.Address: 1, atom.Article: 1,
	atom.Aside: 1, atom.Center: 1, atom.Figure: 1, atom.Figcaption: 1, atom.Footer: 1,
	atom.Header: 1, atom.Main: 1, atom.Nav: 1, atom.Section: 1, atom.Caption: 1,
	atom.Tbody: 1, atom.Thead: 1, atom.Tfoot: 1,
}

// tableParts hold only rows; text directly inside them is source
// indentation that browsers do not show.
var tableParts = map[atom.Atom]bool{
	atom.Table: true, atom.Tbody: true, atom.Thead: true, atom.Tfoot: true, atom.Tr: true,
}

func (w *textWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		if n.Parent == nil || !tableParts[n.Parent.DataAtom] {
			w.text(n.Data)
		}
		return
	case html.ElementNode:
		switch {
		case hiddenElements[n.DataAtom]:
			return
		case n.DataAtom == atom.Br:
			w.pending++ // two <br> in a row are a blank line
			w.space = false
			return
		case n.DataAtom == atom.Tr:
			w.row(n)
			return
		case n.DataAtom == atom.Pre:
			w.pre++
			defer func() { w.pre-- }()
		case n.DataAtom == atom.Blockquote:
			w.quote++
			defer func() { w.quote-- }()
		}
	case html.DocumentNode:
	default: // comments, doctypes
		return
	}
	brk := 0
	if n.Type == html.ElementNode {
		brk = blockBreaks[n.DataAtom]
	}
	w.lineBreak(brk)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
	w.lineBreak(brk)
}

func (w *textWriter) lineBreak(n int) {
	if n > w.pending {
		w.pending = n
	}
	if n > 0 {
		w.space = false
	}
}

// write puts s on the page after the breaks and space it is owed.
func (w *textWriter) write(s string) {
	if w.pending > 0 && w.b.Len() > 0 {
		w.b.WriteString(strings.Repeat("\n", w.pending))
	} else if w.space && w.pending == 0 {
		w.b.WriteByte(' ')
	}
	if w.quote > 0 && (w.b.Len() == 0 || strings.HasSuffix(w.b.String(), "\n")) {
		w.b.WriteString(strings.Repeat("> ", w.quote))
	}
	w.pending, w.space = 0, false
	w.b.WriteString(s)
}

func (w *textWriter) text(s string) {
	s = strings.ReplaceAll(s, "\u00a0", " ") // &nbsp; is layout, not content
	if w.pre > 0 {
		if s != "" {
			w.write(s)
		}
		return
	}
	// HTML shows any run of whitespace, newlines included, as one space.
	words := strings.Fields(s)
	if len(words) == 0 {
		w.space = w.space || s != ""
		return
	}
	if isHTMLSpace(s[0]) {
		w.space = true
	}
	w.write(strings.Join(words, " "))
	w.space = isHTMLSpace(s[len(s)-1])
}

func isHTMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// row writes one table row. Cells that hold a table of their own are page
// layout, not form fields, so they are written as blocks; otherwise the
// non-empty cells go on one line, TAB-separated, with spacer cells dropped.
func (w *textWriter) row(tr *html.Node) {
	var cells []string
	layout := false
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || (c.DataAtom != atom.Td && c.DataAtom != atom.Th) {
			continue
		}
		layout = layout || hasTable(c)
		cw := textWriter{pre: w.pre}
		cw.node(c)
		cells = append(cells, cw.b.String())
	}
	w.lineBreak(1)
	if layout {
		for _, c := range cells {
			if strings.TrimSpace(c) != "" {
				w.write(c)
				w.lineBreak(1)
			}
		}
		return
	}
	var parts []string
	for _, c := range cells {
		if c = strings.Join(strings.Fields(c), " "); c != "" {
			parts = append(parts, c)
		}
	}
	if len(parts) > 0 {
		w.write(strings.Join(parts, "\t"))
	}
	w.lineBreak(1)
}

func hasTable(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom == atom.Table || hasTable(c) {
			return true
		}
	}
	return false
}

// tidyLines trims every line, squeezes runs of spaces and keeps at most one
// blank line in a row.
func tidyLines(s string) string {
	var out []string
	blank := true // drops blank lines at the start
	for _, line := range strings.Split(s, "\n") {
		line = strings.Trim(line, " \t\r")
		for strings.Contains(line, "  ") {
			line = strings.ReplaceAll(line, "  ", " ")
		}
		if line == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, line)
		blank = false
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}

// sanitizeHTML makes a mail's HTML safe to show in the console: bluemonday's
// UGC policy drops scripts, event handlers and styles, then every image not
// served from the mail itself (cid:) is removed, because loading a remote
// image tells the sender the mail was opened and from where.
func sanitizeHTML(src string) string {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("cid")
	clean := strings.TrimSpace(p.Sanitize(src))
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(clean), body)
	if err != nil {
		return ""
	}
	for _, n := range nodes {
		body.AppendChild(n)
	}
	dropRemoteImages(body)
	var b strings.Builder
	for n := body.FirstChild; n != nil; n = n.NextSibling {
		if err := html.Render(&b, n); err != nil {
			return ""
		}
	}
	return b.String()
}

func dropRemoteImages(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode && c.DataAtom == atom.Img && !isCIDImage(c) {
			n.RemoveChild(c)
		} else {
			dropRemoteImages(c)
		}
		c = next
	}
}

func isCIDImage(img *html.Node) bool {
	for _, a := range img.Attr {
		if a.Key == "src" {
			return strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "cid:")
		}
	}
	return false
}
