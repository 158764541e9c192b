package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/console"
	"github.com/aduan/aduan/pkg/httpapi"
)

// siteServer serves the API's real router, with the console mounted, over
// HTTP, as a browser meets it. A visitor's pages need no database.
func siteServer(t *testing.T) *httptest.Server {
	t.Helper()
	api := httpapi.New(httpapi.Config{})
	con, err := console.New(console.Config{Auth: api})
	if err != nil {
		t.Fatal(err)
	}
	api.MountConsole(con)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv
}

// noFollow is a client that shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func fetch(t *testing.T, c *http.Client, method, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp, string(body)
}

// / is the console's login page for a visitor: 200, never a redirect, with
// the controls people are trained on, and scripts allowed only by this
// response's nonce.
func TestLoginPageAtRoot(t *testing.T) {
	srv := siteServer(t)
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		t.Run(method, func(t *testing.T) {
			resp, body := fetch(t, noFollow, method, srv.URL+"/")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s / = %d (Location %q), want 200", method, resp.StatusCode, resp.Header.Get("Location"))
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q, want text/html; charset=utf-8", ct)
			}
			if method == http.MethodHead {
				if body != "" {
					t.Errorf("HEAD / has a body of %d bytes", len(body))
				}
				return
			}
			for _, want := range []string{`<html lang="id">`, `<label for="email">Email</label>`,
				`<label for="password">Kata sandi</label>`, `<button type="submit" class="primary">Masuk</button>`,
				`href="/api/openapi.yaml"`} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
			nonce := regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9_-]{16,})'`).FindStringSubmatch(resp.Header.Get("Content-Security-Policy"))
			if nonce == nil {
				t.Fatalf("Content-Security-Policy %q has no script nonce", resp.Header.Get("Content-Security-Policy"))
			}
			for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1) {
				if !strings.Contains(tag, `nonce="`+nonce[1]+`"`) {
					t.Errorf("script without the response's nonce: %s", tag)
				}
			}
			if regexp.MustCompile(`(?i)\son[a-z]+=`).MatchString(body) {
				t.Error("page has an inline event handler")
			}
		})
	}
}

// Every link the page offers (stylesheet and scripts included) leads
// somewhere, without a redirect.
func TestLoginPageLinks(t *testing.T) {
	srv := siteServer(t)
	_, body := fetch(t, noFollow, http.MethodGet, srv.URL+"/")
	links := regexp.MustCompile(`(?:href|src)="(/[^"]*)"`).FindAllStringSubmatch(body, -1)
	if len(links) == 0 {
		t.Fatal("the page links nowhere")
	}
	for _, l := range links {
		if resp, _ := fetch(t, noFollow, http.MethodGet, srv.URL+l[1]); resp.StatusCode != http.StatusOK {
			t.Errorf("link %s = %d, want 200", l[1], resp.StatusCode)
		}
	}
}

// /index.html is the old landing page's name: one redirect to /, which answers.
func TestIndexHTMLLeadsToLoginPage(t *testing.T) {
	srv := siteServer(t)
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		t.Run(method, func(t *testing.T) {
			resp, _ := fetch(t, noFollow, method, srv.URL+"/index.html")
			if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/" {
				t.Fatalf("%s /index.html = %d, Location %q; want 301 to /", method, resp.StatusCode, resp.Header.Get("Location"))
			}
			hops := 0
			follow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { hops++; return nil }}
			resp, _ = fetch(t, follow, method, srv.URL+"/index.html")
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" || hops != 1 {
				t.Errorf("following /index.html: %d at %s after %d redirects; want 200 at / after 1",
					resp.StatusCode, resp.Request.URL.Path, hops)
			}
		})
	}
}
