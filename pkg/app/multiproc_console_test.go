package app_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The console's user of the multi-process test: logging out ends every
// session of a user, so it is not the agent whose token takes the calls.
const (
	mpSupervisor         = "koordinator.multi@aduan.test"
	mpSupervisorName     = "Rina Koordinator"
	mpSupervisorPassword = "kata-sandi-koordinator-123"
)

// consolePost sends a console form to s as the console's own page does:
// from its origin (the console refuses cross-origin posts), with the
// session cookie when there is one. Redirects are not followed.
func consolePost(t *testing.T, s *aduanProc, path, cookie string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", "http://"+s.addr+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://"+s.addr)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "aduan_session", Value: cookie})
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("POST %s on %s: %v", path, s, err)
	}
	resp.Body.Close()
	return resp
}

var noRedirects = &http.Client{Timeout: mpHTTP.Timeout,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// consoleLogin logs in on the console of s with the login form and
// returns the session cookie.
func consoleLogin(t *testing.T, s *aduanProc, email, password string) string {
	t.Helper()
	resp := consolePost(t, s, "/console/masuk", "", url.Values{"email": {email}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/antrean" {
		t.Fatalf("console login on %s: %s to %q; want 303 to the queue", s, resp.Status, resp.Header.Get("Location"))
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "aduan_session" && ck.Value != "" {
			return ck.Value
		}
	}
	t.Fatalf("console login on %s set no session cookie", s)
	return ""
}

// consolePage fetches the queue page from s with the session cookie and
// reports whether it answered as the logged-in supervisor (200 with their
// name) or sent the visitor to the login page; anything else fails.
func consolePage(t *testing.T, s *aduanProc, cookie string) bool {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+s.addr+"/console/antrean", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "aduan_session", Value: cookie})
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("GET /console/antrean on %s: %v", s, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	switch {
	case resp.StatusCode == http.StatusOK && strings.Contains(string(body), mpSupervisorName):
		return true
	case resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/":
		return false
	}
	t.Fatalf("GET /console/antrean on %s: %s %q", s, resp.Status, body)
	return false
}

// consoleLogout logs out with the console's form on s.
func consoleLogout(t *testing.T, s *aduanProc, cookie string) {
	t.Helper()
	resp := consolePost(t, s, "/console/keluar", cookie, url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("console logout on %s: %s; want 303", s, resp.Status)
	}
}

// checkConsoleBeforeKill: a console session opened on one process is
// good on the other, and a logout on one ends it on both. It returns a
// session opened on serve-0, for checkConsoleAfterKill.
func (c *mpCluster) checkConsoleBeforeKill(t *testing.T) string {
	t.Helper()
	a, b := c.serves[0], c.serves[1]
	ck := consoleLogin(t, b, mpSupervisor, mpSupervisorPassword)
	if !consolePage(t, a, ck) {
		t.Fatalf("a console session opened on %s is not known on %s", b, a)
	}
	consoleLogout(t, a, ck)
	for _, s := range []*aduanProc{a, b} {
		if consolePage(t, s, ck) {
			t.Fatalf("a console session logged out on %s still holds on %s", a, s)
		}
	}
	ck = consoleLogin(t, a, mpSupervisor, mpSupervisorPassword)
	if !consolePage(t, b, ck) {
		t.Fatalf("a console session opened on %s is not known on %s", a, b)
	}
	return ck
}

// checkConsoleAfterKill: the session opened on the killed process still
// holds on the survivor, and a logout there ends it.
func (c *mpCluster) checkConsoleAfterKill(t *testing.T, ck string) {
	t.Helper()
	s := c.serves[1]
	if !consolePage(t, s, ck) {
		t.Fatalf("the console session opened on %s ended with it: %s does not know it", c.serves[0], s)
	}
	consoleLogout(t, s, ck)
	if consolePage(t, s, ck) {
		t.Fatalf("a console session logged out on %s still holds there", s)
	}
}
