package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/internal/logtest"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// testPassword is every test user's password.
const testPassword = "kata-sandi-uji-123"

// harness is one App on a fresh database, with a user of every role, its
// HTTP API served in-process and every response checked against the spec.
type harness struct {
	app        *app.App
	handler    http.Handler
	logs       *logtest.Buffer
	spec       *contract
	agent      ticket.User
	agent2     ticket.User
	supervisor ticket.User
	admin      ticket.User

	mu     sync.Mutex
	tokens map[int64]string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	_, dbURL := storetest.New(t)
	a, logs := newApp(t, dbURL, "redis://127.0.0.1:6379/0")
	h := &harness{app: a, handler: a.Handler(), logs: logs, spec: loadContract(t), tokens: map[int64]string{}}
	h.agent = h.addUser(t, "agen1@aduan.test", "Budi Agen", ticket.RoleAgent)
	h.agent2 = h.addUser(t, "agen2@aduan.test", "Dewi Agen", ticket.RoleAgent)
	h.supervisor = h.addUser(t, "supervisor@aduan.test", "Sri Supervisor", ticket.RoleSupervisor)
	h.admin = h.addUser(t, "admin@aduan.test", "Admin Uji", ticket.RoleAdmin)
	return h
}

// newApp builds an App on dbURL. It is closed before the database is
// dropped: cleanups run last-registered first.
func newApp(t *testing.T, dbURL, redisURL string) (*app.App, *logtest.Buffer) {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.DatabaseURL = dbURL
	cfg.RedisURL = redisURL
	cfg.DataDir = t.TempDir()
	logs := &logtest.Buffer{}
	a, err := app.New(context.Background(), cfg, app.NewLogger(logs, "debug"))
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	return a, logs
}

func (h *harness) addUser(t *testing.T, email, name string, role ticket.Role) ticket.User {
	t.Helper()
	u, err := h.app.AddUser(context.Background(), app.NewUser{Email: email, Name: name, Role: role,
		Password: testPassword, Capacity: ticket.DefaultCapacity})
	if err != nil {
		t.Fatalf("add user %s: %v", email, err)
	}
	return u
}

// token returns a bearer token for u, stored directly so tests that are
// not about login skip the password hash.
func (h *harness) token(t *testing.T, u ticket.User) string {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if tok, ok := h.tokens[u.ID]; ok {
		return tok
	}
	tok := fmt.Sprintf("test-token-%d-%d", u.ID, time.Now().UnixNano())
	if err := h.app.Store.CreateToken(context.Background(), u.ID, tok, time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("create token: %v", err)
	}
	h.tokens[u.ID] = tok
	return tok
}

// login logs in through the API.
func (h *harness) login(t *testing.T, email, password string) reply {
	t.Helper()
	return h.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
}

// reply is a response, read whole.
type reply struct {
	Status  int
	Header  http.Header
	Body    []byte
	Cookies []*http.Cookie
}

// apiError is the error envelope.
type apiError struct {
	Error struct {
		Code      string            `json:"code"`
		Message   string            `json:"message"`
		Fields    map[string]string `json:"fields"`
		RequestID string            `json:"request_id"`
	} `json:"error"`
}

func (r reply) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

// must stops the test unless the status is want.
func (r reply) must(t *testing.T, want int) reply {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body %s", r.Status, want, r.Body)
	}
	return r
}

// expect reports whether the status is want, failing the test if not.
func (r reply) expect(t *testing.T, want int) bool {
	t.Helper()
	if r.Status != want {
		t.Errorf("status %d, want %d; body %s", r.Status, want, r.Body)
		return false
	}
	return true
}

func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r reply) apiError(t *testing.T) apiError {
	t.Helper()
	var e apiError
	r.decode(t, &e)
	return e
}

// expectError checks the status, the error code and, when fields are
// given, that each is named.
func (r reply) expectError(t *testing.T, status int, code string, fields ...string) apiError {
	t.Helper()
	if !r.expect(t, status) {
		return apiError{}
	}
	e := r.apiError(t)
	if e.Error.Code != code {
		t.Errorf("error code %q, want %q (%s)", e.Error.Code, code, r.Body)
	}
	for _, f := range fields {
		if e.Error.Fields[f] == "" {
			t.Errorf("fields[%q] missing in %s", f, r.Body)
		}
	}
	return e
}

// call sends a request to the API. body is sent as is when it is a string
// or []byte, as JSON otherwise. mods adjust the request before it is sent.
func (h *harness) call(t *testing.T, method, path, token string, body any, mods ...func(*http.Request)) reply {
	t.Helper()
	return h.callOn(t, h.handler, method, path, token, body, mods...)
}

// callOn is call on another handler of the same app.
func (h *harness) callOn(t *testing.T, handler http.Handler, method, path, token string, body any, mods ...func(*http.Request)) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, m := range mods {
		m(req)
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	res := rec.Result()
	r := reply{Status: rec.Code, Header: res.Header, Body: rec.Body.Bytes(), Cookies: res.Cookies()}
	h.checkReply(t, req, r)
	return r
}

// checkReply holds for every response: it is what the spec says, it
// carries a request id, and an error names the same id.
func (h *harness) checkReply(t *testing.T, req *http.Request, r reply) {
	t.Helper()
	if errs := h.spec.validateResponse(req.Method, req.URL.Path, r.Status, r.Header, r.Body); len(errs) > 0 {
		t.Errorf("contract: %s %s answered %d against the spec:\n  %s\n  body: %.500s", req.Method, req.URL.Path,
			r.Status, strings.Join(errs, "\n  "), r.Body)
	}
	id := r.Header.Get("X-Request-Id")
	if id == "" {
		t.Errorf("%s %s: no X-Request-Id", req.Method, req.URL.Path)
	}
	// Error envelopes name the same id (/readyz's 503 is a report, not an envelope).
	var env map[string]json.RawMessage
	if r.Status >= 400 && json.Unmarshal(r.Body, &env) == nil && env["error"] != nil {
		var e apiError
		if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.RequestID != id {
			t.Errorf("%s %s: error request_id %q, header X-Request-Id %q", req.Method, req.URL.Path, e.Error.RequestID, id)
		}
	}
}

// withHeader sets a request header.
func withHeader(k, v string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set(k, v) }
}

// handlerAt is another API over the same app whose clock says now, for
// rules that depend on today's date.
func (h *harness) handlerAt(now time.Time) http.Handler {
	a := h.app
	return httpapi.New(httpapi.Config{Users: a.Store, Tickets: a.Store, Ingester: a.Ingester, Desk: a.Desk,
		Log: a.Log, TokenTTL: a.Config.TokenTTL, Now: func() time.Time { return now }})
}

// The JSON shapes the tests read.
type complainantOut struct {
	ID          int64       `json:"id"`
	Name        string      `json:"name"`
	NIKMasked   string      `json:"nik_masked"`
	Phone       string      `json:"phone"`
	NIKWarnings []string    `json:"nik_warnings"`
	Tickets     []ticketOut `json:"tickets"`
}

type messageOut struct {
	ID        int64    `json:"id"`
	Direction string   `json:"direction"`
	AuthorID  *int64   `json:"author_id"`
	Body      string   `json:"body"`
	HTML      string   `json:"html"`
	Kind      string   `json:"kind"`
	Automatic string   `json:"automatic"`
	Warnings  []string `json:"warnings"`
}

type eventOut struct {
	Kind    string         `json:"kind"`
	ActorID *int64         `json:"actor_id"`
	Data    map[string]any `json:"data"`
}

type attachmentOut struct {
	ID     int64  `json:"id"`
	Stored bool   `json:"stored"`
	SHA256 string `json:"sha256"`
}

type ticketOut struct {
	ID                     int64           `json:"id"`
	Number                 string          `json:"number"`
	Channel                string          `json:"channel"`
	Category               string          `json:"category"`
	Status                 string          `json:"status"`
	AssigneeID             *int64          `json:"assignee_id"`
	Description            string          `json:"description"`
	Complainant            complainantOut  `json:"complainant"`
	Messages               []messageOut    `json:"messages"`
	Events                 []eventOut      `json:"events"`
	Attachments            []attachmentOut `json:"attachments"`
	ComplainantOpenTickets []ticketOut     `json:"complainant_open_tickets"`
}

type pageOut struct {
	Items      []ticketOut `json:"items"`
	NextCursor *string     `json:"next_cursor"`
}

// The request a call-center agent sends.
type personIn struct {
	Name      string `json:"name,omitempty"`
	NIK       string `json:"nik,omitempty"`
	Phone     string `json:"phone,omitempty"`
	BirthDate string `json:"birth_date,omitempty"`
}

type callIn struct {
	Channel     string   `json:"channel,omitempty"`
	Category    string   `json:"category,omitempty"`
	Description string   `json:"description,omitempty"`
	Complainant personIn `json:"complainant"`
}

func newCall(nik, phone string) callIn {
	return callIn{Channel: "callcenter", Category: "certificate_missing",
		Description: "Sudah vaksin dosis kedua, sertifikat belum muncul di aplikasi.",
		Complainant: personIn{Name: "Siti Aminah", NIK: nik, Phone: phone}}
}

// nikN is a valid NIK: West Java, born 1 January 1990, serial n.
func nikN(n int) string { return fmt.Sprintf("320101010190%04d", n) }

// phoneN is a valid mobile number in local form.
func phoneN(n int) string { return fmt.Sprintf("0812%08d", n) }

// createTicket opens a ticket through the API.
func (h *harness) createTicket(t *testing.T, token string, body callIn) ticketOut {
	t.Helper()
	var out ticketOut
	h.call(t, "POST", "/api/v1/tickets", token, body).must(t, http.StatusCreated).decode(t, &out)
	return out
}

func (h *harness) ticket(t *testing.T, token, ref string) ticketOut {
	t.Helper()
	var out ticketOut
	h.call(t, "GET", "/api/v1/tickets/"+ref, token, nil).must(t, http.StatusOK).decode(t, &out)
	return out
}

// list returns one page of GET /tickets with query q.
func (h *harness) list(t *testing.T, token string, q url.Values) pageOut {
	t.Helper()
	var p pageOut
	h.call(t, "GET", "/api/v1/tickets?"+q.Encode(), token, nil).must(t, http.StatusOK).decode(t, &p)
	return p
}

// countTickets counts every ticket through the API.
func (h *harness) countTickets(t *testing.T) int {
	t.Helper()
	// Pages of 50, not 100: a limit of 100 loses tickets (see TestListTicketsPaging).
	n, q := 0, url.Values{"limit": {"50"}}
	for {
		p := h.list(t, h.token(t, h.supervisor), q)
		n += len(p.Items)
		if p.NextCursor == nil {
			return n
		}
		q.Set("cursor", *p.NextCursor)
	}
}

func ids(ts []ticketOut) []int64 {
	out := make([]int64, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}
