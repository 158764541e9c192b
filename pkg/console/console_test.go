package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/console"
	"github.com/aduan/aduan/pkg/internal/logtest"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

const password = "kata-sandi-uji-123"

// Every template compiles, and the canned replies shipped in configs/ parse.
func TestTemplatesCompile(t *testing.T) {
	if _, err := console.New(console.Config{}); err != nil {
		t.Fatal(err)
	}
}

// desk is the whole app served over HTTP, with two agents.
type desk struct {
	app    *app.App
	srv    *httptest.Server
	agent  ticket.User
	agent2 ticket.User
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	_, dbURL := storetest.New(t)
	cfg := app.DefaultConfig()
	cfg.DatabaseURL, cfg.RedisURL, cfg.DataDir = dbURL, "redis://127.0.0.1:6379/0", t.TempDir()
	a, err := app.New(context.Background(), cfg, app.NewLogger(&logtest.Buffer{}, "info"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	d := &desk{app: a, srv: httptest.NewServer(a.Handler())}
	t.Cleanup(d.srv.Close)
	add := func(email, name string) ticket.User {
		u, err := a.AddUser(context.Background(), app.NewUser{Email: email, Name: name, Role: ticket.RoleAgent,
			Password: password, Capacity: ticket.DefaultCapacity})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	d.agent, d.agent2 = add("agen1@aduan.test", "Budi Agen"), add("agen2@aduan.test", "Dewi Agen")
	return d
}

// browser is one person's browser: a cookie jar, never following
// redirects, sending the Origin a browser sends.
type browser struct {
	t    *testing.T
	d    *desk
	c    *http.Client
	jar  *cookiejar.Jar
	from string
}

func (d *desk) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, d: d, jar: jar, from: d.srv.URL, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.d.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method != http.MethodGet && b.from != "" {
		req.Header.Set("Origin", b.from)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

func (b *browser) login(email string) *http.Response {
	b.t.Helper()
	resp, _ := b.do("POST", "/console/masuk", url.Values{"email": {email}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/antrean" {
		b.t.Fatalf("login %s = %d to %q", email, resp.StatusCode, resp.Header.Get("Location"))
	}
	return resp
}

func TestSessions(t *testing.T) {
	d := newDesk(t)
	t.Run("the session cookie is HttpOnly, SameSite=Strict and not readable elsewhere", func(t *testing.T) {
		resp := d.browser(t).login("agen1@aduan.test")
		ck := resp.Header.Get("Set-Cookie")
		for _, want := range []string{console.SessionCookie + "=", "HttpOnly", "SameSite=Strict", "Path=/"} {
			if !strings.Contains(ck, want) {
				t.Errorf("Set-Cookie %q lacks %s", ck, want)
			}
		}
		if strings.Contains(ck, "Secure") {
			t.Errorf("Secure over plain HTTP: %q", ck)
		}
	})
	t.Run("a wrong password is refused on the page, and no session", func(t *testing.T) {
		b := d.browser(t)
		resp, body := b.do("POST", "/console/masuk", url.Values{"email": {"agen1@aduan.test"}, "password": {"salah"}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Email atau kata sandi salah") {
			t.Errorf("wrong password = %d", resp.StatusCode)
		}
		if resp.Header.Get("Set-Cookie") != "" {
			t.Error("a session for a wrong password")
		}
	})
	t.Run("guessing is throttled as on the API", func(t *testing.T) {
		b := d.browser(t)
		var resp *http.Response
		var body string
		for i := 0; i < 7; i++ {
			resp, body = b.do("POST", "/console/masuk", url.Values{"email": {"penebak@aduan.test"}, "password": {"tebakan"}})
			if resp.StatusCode == http.StatusTooManyRequests {
				break
			}
		}
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Terlalu banyak percobaan masuk") {
			t.Errorf("after repeated wrong passwords: %d", resp.StatusCode)
		}
	})
	t.Run("a visitor gets the login page at /, never a redirect; a page sends them there", func(t *testing.T) {
		b := d.browser(t)
		if resp, _ := b.do("GET", "/", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET / = %d", resp.StatusCode)
		}
		if resp, _ := b.do("GET", "/console/antrean", nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("GET /console/antrean = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("logout in one browser ends the user's sessions in every browser", func(t *testing.T) {
		one, two := d.browser(t), d.browser(t)
		one.login("agen1@aduan.test")
		two.login("agen1@aduan.test")
		if resp, _ := two.do("GET", "/console/antrean", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("second browser = %d", resp.StatusCode)
		}
		if resp, _ := one.do("POST", "/console/keluar", url.Values{}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout = %d", resp.StatusCode)
		}
		if resp, _ := two.do("GET", "/console/antrean", nil); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("second browser after logout = %d, want the login page", resp.StatusCode)
		}
	})
	t.Run("a state-changing request from another origin is refused", func(t *testing.T) {
		b := d.browser(t)
		b.login("agen2@aduan.test")
		b.from = "https://evil.example"
		resp, _ := b.do("POST", "/console/keluar", url.Values{})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin logout = %d, want 403", resp.StatusCode)
		}
		b.from = d.srv.URL
		if resp, _ := b.do("GET", "/console/antrean", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("the session did not survive the refused request: %d", resp.StatusCode)
		}
	})
}

var numberRe = regexp.MustCompile(`PL-\d{6}-\d{6,}`)

// The call form applies the API's rules (intake.Call), and a reply
// written on a page the ticket has since moved past is stopped.
func TestCallAndStaleReply(t *testing.T) {
	d := newDesk(t)
	a, b := d.browser(t), d.browser(t)
	a.login("agen1@aduan.test")
	b.login("agen2@aduan.test")
	call := url.Values{"kunci": {"0b6f3a2e-7a1c-4b8e-9d55-1e2f3a4b5c6d"}, "nik": {"3201014507850001"},
		"name": {"Siti Aminah"}, "phone": {"0812 3456 7890"}, "email": {"siti@contoh.id"},
		"category": {"certificate_missing"}, "description": {"Sertifikat belum muncul."}}

	bad := url.Values{}
	for k, v := range call {
		bad[k] = v
	}
	bad.Set("nik", "3201019907850001") // day 99: no such date
	resp, body := a.do("POST", "/console/panggilan", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="nik" name="nik"`) ||
		!strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("bad NIK = %d", resp.StatusCode)
	}
	resp, body = a.do("POST", "/console/panggilan", call)
	number := numberRe.FindString(body)
	if resp.StatusCode != http.StatusCreated || number == "" {
		t.Fatalf("call = %d, number %q", resp.StatusCode, number)
	}
	if _, again := a.do("POST", "/console/panggilan", call); numberRe.FindString(again) != number {
		t.Errorf("the same form sent twice made %s and %s", number, numberRe.FindString(again))
	}

	_, page := a.do("GET", "/console/tiket/"+number, nil)
	version := regexp.MustCompile(`name="versi" value="([0-9.]+)"`).FindStringSubmatch(page)
	if version == nil {
		t.Fatal("the ticket page carries no version")
	}
	if resp, _ := b.do("POST", "/console/tiket/"+number+"/catatan", url.Values{"body": {"Saya telepon balik."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("note = %d", resp.StatusCode)
	}
	resp, body = a.do("POST", "/console/tiket/"+number+"/balas", url.Values{"versi": {version[1]}, "body": {"Sudah kami proses."}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Saya telepon balik.") ||
		!strings.Contains(body, "Sudah kami proses.") {
		t.Fatalf("stale reply = %d, want 409 showing the note and keeping the draft", resp.StatusCode)
	}
	tk, err := d.app.Desk.Ticket(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range tk.Messages {
		if m.Direction == ticket.Outbound && m.Kind == ticket.KindReply {
			t.Errorf("the stale reply was stored: %q", m.Body)
		}
	}
}

// Two tickets of one person become one: the conversation moves, the
// other ticket is closed; another person's ticket cannot be merged in.
func TestMerge(t *testing.T) {
	d := newDesk(t)
	a := d.browser(t)
	a.login("agen1@aduan.test")
	save := func(nik, phone, complaint string) string {
		t.Helper()
		resp, body := a.do("POST", "/console/panggilan", url.Values{"nik": {nik}, "name": {"Siti Aminah"},
			"phone": {phone}, "category": {"certificate_missing"}, "description": {complaint}})
		n := numberRe.FindString(body)
		if resp.StatusCode != http.StatusCreated || n == "" {
			t.Fatalf("call = %d", resp.StatusCode)
		}
		return n
	}
	first := save("3201014507850001", "081234567890", "Sertifikat dosis 2 belum muncul.")
	second := save("3201014507850001", "081234567890", "Menelepon lagi soal sertifikat dosis 2.")
	stranger := save("3174052303900002", "085712345678", "Data saya salah.")

	if resp, body := a.do("POST", "/console/tiket/"+first+"/gabung", url.Values{"dari": {stranger}}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "pelapor yang sama") {
		t.Errorf("merging another person's ticket = %d", resp.StatusCode)
	}
	if resp, _ := a.do("POST", "/console/tiket/"+first+"/gabung", url.Values{"dari": {second}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("merge = %d", resp.StatusCode)
	}
	ctx := context.Background()
	into, err := d.app.Desk.Ticket(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	from, err := d.app.Desk.Ticket(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	if len(into.Messages) != 2 || len(from.Messages) != 0 || from.Status != ticket.StatusClosed {
		t.Errorf("after merge: %s has %d messages, %s has %d and is %s", first, len(into.Messages), second,
			len(from.Messages), from.Status)
	}
	if _, body := a.do("GET", "/console/tiket/"+first, nil); !strings.Contains(body, "Menelepon lagi soal sertifikat dosis 2.") {
		t.Error("the merged conversation is not on the ticket page")
	}
}

// The agent's time zone is kept, and times are shown in it.
func TestZone(t *testing.T) {
	d := newDesk(t)
	b := d.browser(t)
	b.login("agen1@aduan.test")
	_, page := b.do("GET", "/console/antrean", nil)
	if !strings.Contains(page, `<option value="WIB" selected>`) {
		t.Error("WIB is not the default zone")
	}
	resp, _ := b.do("POST", "/console/zona", url.Values{"zona": {"WITA"}, "kembali": {"/console/panggilan"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/panggilan" {
		t.Fatalf("zone = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page = b.do("GET", "/console/antrean", nil); !strings.Contains(page, `<option value="WITA" selected>`) {
		t.Error("WITA was not kept")
	}
	if resp, _ := b.do("POST", "/console/zona", url.Values{"zona": {"UTC"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("zone UTC = %d, want 422", resp.StatusCode)
	}
}
