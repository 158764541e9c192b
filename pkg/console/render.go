package console

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/ticket"
	"github.com/aduan/aduan/web"
)

// pages are the compiled templates: each page file together with the
// layout and the partials, under the page's name ("queue" for
// templates/queue.html).
type pages struct {
	byName map[string]*template.Template
}

// loadPages compiles every template: a broken one fails New (and the
// test that calls it), not a request.
func loadPages() (*pages, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(web.Templates, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("console templates: %w", err)
	}
	files, err := fs.Glob(web.Templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(web.Templates, f)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// view is what every page's template gets: the page's own data in Data,
// and what the layout needs around it.
type view struct {
	Title string
	Nav   string // the navigation entry that is current
	User  *ticket.User
	Nonce string
	Path  string // the page's own path, for forms that come back to it
	Zone  *time.Location
	Now   time.Time
	Data  any
}

// Role checks for the layout's navigation.
func (v view) AtLeast(role string) bool {
	return v.User != nil && v.User.Role.AtLeast(ticket.Role(role))
}

// Date formats t as dd/mm/yyyy in the agent's zone.
func (v view) Date(t time.Time) string { return t.In(v.Zone).Format("02/01/2006") }

// When formats t as dd/mm/yyyy HH:MM with the zone's name (WIB, WITA, WIT).
func (v view) When(t time.Time) string { return t.In(v.Zone).Format("02/01/2006 15:04 MST") }

// Clock formats t as HH:MM with the zone's name.
func (v view) Clock(t time.Time) string { return t.In(v.Zone).Format("15:04 MST") }

// Waited says how long since t, for waiting times.
func (v view) Waited(t time.Time) string { return duration(v.Now.Sub(t)) }

// ISO is t for a <time datetime> attribute.
func (v view) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// render writes a whole page: the page's template inside the layout.
func (c *Console) render(g *gin.Context, status int, page, title, nav string, data any) {
	c.write(g, status, page, "layout", title, nav, data)
}

// fragment writes one named template of a page, without the layout: the
// answer to an htmx request that replaces part of a page.
func (c *Console) fragment(g *gin.Context, status int, page, name string, data any) {
	c.write(g, status, page, name, "", "", data)
}

func (c *Console) write(g *gin.Context, status int, page, name, title, nav string, data any) {
	t, ok := c.pages.byName[page]
	if !ok {
		c.log.ErrorContext(g.Request.Context(), "console page missing", "page", page)
		g.String(http.StatusInternalServerError, "internal error")
		return
	}
	v := view{Title: title, Nav: nav, Nonce: g.GetString(nonceKey), Path: g.Request.URL.Path, Zone: zoneOf(g),
		Now: c.now(), Data: data}
	if u, ok := currentUser(g); ok {
		v.User = &u
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		c.log.ErrorContext(g.Request.Context(), "console template", "page", page, "template", name, "err", err)
		g.String(http.StatusInternalServerError, "internal error")
		return
	}
	g.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

const nonceKey = "console.nonce"

// pageCSP is the policy of every console page: scripts only from files
// that carry this response's nonce (so no inline handler and no injected
// script runs), styles only from the console's files, frames only from the
// console (the sandboxed mail bodies), nothing may frame the console.
func pageCSP(nonce string) string {
	return "default-src 'self'; script-src 'nonce-" + nonce + "'; style-src 'self'; img-src 'self' data:; " +
		"frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

// nonce gives each response its own script nonce and the policy that
// names it.
func (c *Console) nonce(g *gin.Context) {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	n := base64.RawURLEncoding.EncodeToString(b)
	g.Set(nonceKey, n)
	g.Header("Content-Security-Policy", pageCSP(n))
	g.Next()
}

// recover turns a panic into a logged 500.
func (c *Console) recover(g *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			c.log.ErrorContext(g.Request.Context(), "console panic", "panic", r, "route", g.FullPath())
			g.AbortWithStatus(http.StatusInternalServerError)
		}
	}()
	g.Next()
}

// fail answers err as an error page (or, to htmx, a fragment of one).
// Errors without a code are logged here, once, and never shown.
func (c *Console) fail(g *gin.Context, err error) {
	if errors.Is(err, context.Canceled) && g.Request.Context().Err() != nil {
		// The tab went away (a page closing says it leaves); nothing broke.
		g.AbortWithStatus(499)
		return
	}
	code := ticket.ErrorCode(err)
	msg := ticket.ErrorMessage(err)
	if code == ticket.EINTERNAL || code == ticket.EUNAVAILABLE {
		c.log.ErrorContext(g.Request.Context(), "console request failed", "err", err, "route", g.FullPath())
		msg = "Terjadi kesalahan di server. Coba lagi sebentar lagi."
	}
	status := ticket.HTTPStatus(code)
	if isHTMX(g) {
		g.Header("HX-Retarget", "#pesan-galat")
		g.Header("HX-Reswap", "innerHTML")
		c.fragment(g, status, "error", "message", errorView{Message: indonesian(msg)})
		g.Abort()
		return
	}
	c.render(g, status, "error", "Galat", "", errorView{Message: indonesian(msg), Status: status})
	g.Abort()
}

type errorView struct {
	Message string
	Status  int
}

// indonesian keeps the Indonesian half of a bilingual message
// ("Indonesia. / English.").
func indonesian(msg string) string {
	if i := strings.Index(msg, " / "); i > 0 {
		return msg[:i]
	}
	return msg
}

func isHTMX(g *gin.Context) bool { return g.GetHeader("HX-Request") == "true" }

var errNoStatic = errors.New("no such static file")

// static serves the embedded static files; they change only with the
// binary, so browsers keep them an hour.
func (c *Console) static(g *gin.Context) {
	name := strings.TrimPrefix(path.Clean("/"+g.Param("path")), "/")
	b, err := fs.ReadFile(web.Static, "static/"+name)
	if err != nil || name == "" {
		c.fail(g, ticket.Errorf(ticket.ENOTFOUND, "%v", errNoStatic))
		return
	}
	ct := "application/octet-stream"
	switch path.Ext(name) {
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	case ".png":
		ct = "image/png"
	case ".LICENSE", ".txt":
		ct = "text/plain; charset=utf-8"
	}
	g.Header("Cache-Control", "public, max-age=3600")
	g.Data(http.StatusOK, ct, b)
}
