package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/httpapi"
)

// siteServer serves the API's real router over HTTP, as a browser meets it.
func siteServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(httpapi.New(httpapi.Config{}))
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

func TestLandingPage(t *testing.T) {
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
			for _, want := range []string{`<html lang="id">`, "Aduan", `href="/api/openapi.yaml"`} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
		})
	}
}

// Every link the page offers leads somewhere, without a redirect.
func TestLandingPageLinks(t *testing.T) {
	srv := siteServer(t)
	_, body := fetch(t, noFollow, http.MethodGet, srv.URL+"/")
	links := regexp.MustCompile(`href="(/[^"]*)"`).FindAllStringSubmatch(body, -1)
	if len(links) == 0 {
		t.Fatal("the page links nowhere")
	}
	for _, l := range links {
		if resp, _ := fetch(t, noFollow, http.MethodGet, srv.URL+l[1]); resp.StatusCode != http.StatusOK {
			t.Errorf("link %s = %d, want 200", l[1], resp.StatusCode)
		}
	}
}

// /index.html is the page's old name: one redirect to /, which answers.
func TestIndexHTMLLeadsToLandingPage(t *testing.T) {
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
