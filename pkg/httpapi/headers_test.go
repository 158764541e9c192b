package httpapi_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/httpapi"
)

// Every response, whatever its route or status, forbids sniffing and
// framing and has a Content-Security-Policy; every API answer, which may
// carry personal data, forbids caching.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.admin)
	tk := h.createTicket(t, tok, newCall(nikN(1), phoneN(1)))
	routes := append(specRoutes(t),
		route{"GET", "/api/v1/tickets/" + tk.Number}, route{"GET", "/api/v1/complainants?nik=" + nikN(1)},
		route{"GET", "/"}, route{"GET", "/api/openapi.yaml"}, route{"GET", "/no/such/page"},
		route{"GET", httpapi.TaskMonitorPath + "/"}, route{"GET", httpapi.TaskMonitorPath + "/api/queues"},
		route{"GET", httpapi.TaskMonitorPath + "/favicon.ico"})
	for _, rt := range routes {
		for _, auth := range []string{"", tok} {
			name := rt.method + " " + rt.path
			if auth == "" {
				name += " anonymous"
			}
			t.Run(name, func(t *testing.T) {
				req := httptest.NewRequest(rt.method, rt.path, strings.NewReader(`{}`))
				if auth != "" {
					req.Header.Set("Authorization", "Bearer "+auth)
				}
				rec := httptest.NewRecorder()
				h.handler.ServeHTTP(rec, req)
				hd := rec.Result().Header
				if hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("X-Frame-Options") != "DENY" {
					t.Errorf("%d: X-Content-Type-Options %q, X-Frame-Options %q", rec.Code,
						hd.Get("X-Content-Type-Options"), hd.Get("X-Frame-Options"))
				}
				csp := hd.Get("Content-Security-Policy")
				if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(scriptSrc(csp), "'unsafe-inline'") ||
					!strings.Contains(csp, "default-src") {
					t.Errorf("%d: Content-Security-Policy %q", rec.Code, csp)
				}
				private := strings.HasPrefix(rt.path, "/api/v1/") || strings.HasPrefix(rt.path, httpapi.TaskMonitorPath)
				if private && hd.Get("Cache-Control") != "no-store" {
					t.Errorf("%d: Cache-Control %q, want no-store", rec.Code, hd.Get("Cache-Control"))
				}
			})
		}
	}
}

func scriptSrc(csp string) string {
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src") {
			return d
		}
	}
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "default-src") {
			return d
		}
	}
	return ""
}

// The task monitor's page runs its own inline scripts, and those only:
// each is allowed by its hash, none by 'unsafe-inline'.
func TestTaskMonitorPolicyAllowsItsScripts(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	req := httptest.NewRequest("GET", httpapi.TaskMonitorPath+"/", nil)
	req.Header.Set("Authorization", "Bearer "+h.token(t, h.admin))
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("monitor page: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	src := scriptSrc(rec.Header().Get("Content-Security-Policy"))
	scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(rec.Body.String(), -1)
	if len(scripts) == 0 {
		t.Fatalf("no inline script on the monitor page; the test no longer proves anything")
	}
	for _, s := range scripts {
		sum := sha256.Sum256([]byte(s[1]))
		if hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(src, hash) {
			t.Errorf("script-src %q does not allow the inline script %.60q", src, s[1])
		}
	}
	if strings.Count(src, "'sha256-") != len(scripts) {
		t.Errorf("script-src %q allows other scripts than the page's %d", src, len(scripts))
	}
}
