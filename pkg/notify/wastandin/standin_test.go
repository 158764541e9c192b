package wastandin_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/intake/whatsapp"
	"github.com/aduan/aduan/pkg/notify/wastandin"
)

const (
	token  = "token-akses-uji"
	secret = "rahasia-aplikasi-uji"
	pnid   = "106540352242922"
	siti   = "6281234567801"
)

// aduan is a webhook that checks each call's signature as Aduan does and
// keeps what it parsed.
type aduan struct {
	mu    sync.Mutex
	got   []whatsapp.Notification
	calls int
}

func (a *aduan) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls++
	if !whatsapp.ValidSignature([]byte(secret), body, r.Header.Get(whatsapp.SignatureHeader)) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	n, err := whatsapp.Parse(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a.got = append(a.got, n)
	_, _ = w.Write([]byte("OK"))
}

func (a *aduan) changes() []whatsapp.Change {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []whatsapp.Change
	for _, n := range a.got {
		for _, e := range n.Entries {
			out = append(out, e.Changes...)
		}
	}
	return out
}

type fixture struct {
	standin *wastandin.Server
	graph   *httptest.Server
	aduan   *aduan
}

func newFixture(t *testing.T, set func(*wastandin.Config)) *fixture {
	t.Helper()
	a := &aduan{}
	hook := httptest.NewServer(a)
	t.Cleanup(hook.Close)
	cfg := wastandin.Config{AccessToken: token, AppSecret: secret, WebhookURL: hook.URL + "/webhooks/whatsapp", PhoneNumberID: pnid}
	if set != nil {
		set(&cfg)
	}
	s := wastandin.New(cfg)
	graph := httptest.NewServer(s)
	t.Cleanup(func() { graph.Close(); s.Wait() })
	return &fixture{standin: s, graph: graph, aduan: a}
}

type answer struct {
	status int
	body   map[string]any
	raw    []byte
}

func (f *fixture) call(t *testing.T, method, path, bearer, contentType string, body []byte) answer {
	t.Helper()
	req, _ := http.NewRequest(method, f.graph.URL+path, bytes.NewReader(body))
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	a := answer{status: res.StatusCode}
	a.raw, _ = io.ReadAll(res.Body)
	_ = json.Unmarshal(a.raw, &a.body)
	return a
}

func (f *fixture) send(t *testing.T, msg string) answer {
	t.Helper()
	return f.call(t, "POST", "/v23.0/"+pnid+"/messages", token, "application/json", []byte(msg))
}

func text(to, body string) string {
	return `{"messaging_product":"whatsapp","recipient_type":"individual","to":"` + to + `","type":"text","text":{"body":"` + body + `"}}`
}

// graphCode is the error code of a Graph error answer, checking its shape.
func graphCode(t *testing.T, a answer) int {
	t.Helper()
	e, ok := a.body["error"].(map[string]any)
	if !ok {
		t.Fatalf("not a Graph error: %d %s", a.status, a.raw)
	}
	for _, k := range []string{"message", "type", "code", "error_subcode", "error_data", "fbtrace_id"} {
		if _, ok := e[k]; !ok {
			t.Errorf("error without %q: %s", k, a.raw)
		}
	}
	if d, _ := e["error_data"].(map[string]any); d["details"] == "" || d["details"] == nil {
		t.Errorf("error_data without details: %s", a.raw)
	}
	return int(e["code"].(float64))
}

func TestMessageAnsweredAndStatusesReported(t *testing.T) {
	f := newFixture(t, nil)
	a := f.send(t, text("+"+siti, "Halo"))
	if a.status != http.StatusOK || a.body["messaging_product"] != "whatsapp" {
		t.Fatalf("answer %d %s", a.status, a.raw)
	}
	contact := a.body["contacts"].([]any)[0].(map[string]any)
	wamid := a.body["messages"].([]any)[0].(map[string]any)["id"].(string)
	if contact["input"] != "+"+siti || contact["wa_id"] != siti || !strings.HasPrefix(wamid, "wamid.") {
		t.Errorf("contacts %v, id %q", contact, wamid)
	}
	sent := f.standin.Sent()
	if len(sent) != 1 || sent[0].ID != wamid || sent[0].To != siti || sent[0].Type != "text" {
		t.Fatalf("recorded %+v", sent)
	}
	f.standin.Wait()
	var statuses []string
	for _, c := range f.aduan.changes() {
		if c.PhoneNumberID != pnid {
			t.Errorf("status for number %q", c.PhoneNumberID)
		}
		for _, s := range c.Statuses {
			if s.ID != wamid || s.RecipientID != siti {
				t.Errorf("status %+v", s)
			}
			statuses = append(statuses, s.Status)
		}
	}
	if strings.Join(statuses, ",") != "sent,delivered" {
		t.Errorf("statuses %v", statuses)
	}
	// Tests post statuses themselves, in any order, failures with their code.
	if err := f.standin.Status(context.Background(), sent[0], "failed", 131026); err != nil {
		t.Fatal(err)
	}
	last := f.aduan.changes()
	failed := last[len(last)-1].Statuses[0]
	if failed.Status != "failed" || len(failed.Errors) != 1 || failed.Errors[0].Code != 131026 {
		t.Errorf("failed status %+v", failed)
	}
	if r := f.send(t, `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.x"}`); r.status != 200 || r.body["success"] != true {
		t.Errorf("read receipt: %d %s", r.status, r.raw)
	}
}

func TestGraphErrors(t *testing.T) {
	f := newFixture(t, func(c *wastandin.Config) { c.Window = true; c.NoStatuses = true })
	if a := f.call(t, "POST", "/v23.0/"+pnid+"/messages", "", "application/json", []byte(text(siti, "x"))); a.status != 401 || graphCode(t, a) != 190 {
		t.Errorf("no bearer: %d %s", a.status, a.raw)
	}
	if a := f.call(t, "POST", "/"+pnid+"/messages", "salah", "application/json", []byte(text(siti, "x"))); a.status != 401 {
		t.Errorf("wrong bearer: %d", a.status)
	}
	if a := f.call(t, "POST", "/v23.0/999/messages", token, "application/json", []byte(text(siti, "x"))); graphCode(t, a) != 100 {
		t.Errorf("unknown number: %s", a.raw)
	}
	// Siti has not written: only a template may reach her.
	if a := f.send(t, text(siti, "Halo")); a.status != 400 || graphCode(t, a) != 131047 {
		t.Errorf("outside the window: %d %s", a.status, a.raw)
	}
	tmpl := `{"messaging_product":"whatsapp","to":"` + siti + `","type":"template","template":{"name":"aduan_reply","language":{"code":"id"}}}`
	if a := f.send(t, tmpl); a.status != 200 {
		t.Errorf("template outside the window: %d %s", a.status, a.raw)
	}
	f.standin.Wrote(siti, time.Now().Add(-time.Hour))
	if a := f.send(t, text(siti, "Halo")); a.status != 200 {
		t.Errorf("inside the window: %d %s", a.status, a.raw)
	}
	f.standin.NotOnWhatsApp("6281299990000")
	f.standin.Wrote("6281299990000", time.Now())
	if a := f.send(t, text("6281299990000", "Halo")); graphCode(t, a) != 131026 {
		t.Errorf("not on WhatsApp: %s", a.raw)
	}
	f.standin.RateLimit(1)
	if a := f.send(t, text(siti, "1")); graphCode(t, a) != 130429 {
		t.Errorf("rate limited: %s", a.raw)
	}
	if a := f.send(t, text(siti, "2")); a.status != 200 {
		t.Errorf("after the rate limit: %d %s", a.status, a.raw)
	}
	if n := len(f.standin.Sent()); n != 3 {
		t.Errorf("%d messages recorded; refused ones must not be", n)
	}
	// The admin endpoints set the same.
	if a := f.call(t, "POST", "/_standin/rate-limit", "", "application/json", []byte(`{"count":1}`)); a.status != 200 {
		t.Fatalf("admin rate limit: %d", a.status)
	}
	if a := f.send(t, text(siti, "3")); graphCode(t, a) != 130429 {
		t.Errorf("rate limited through the admin endpoint: %s", a.raw)
	}
}

func TestMediaUploadAndDownload(t *testing.T) {
	f := newFixture(t, func(c *wastandin.Config) { c.NoStatuses = true })
	pdf := []byte("%PDF-1.3 sertifikat")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("messaging_product", "whatsapp")
	_ = mw.WriteField("type", "application/pdf")
	fw, _ := mw.CreateFormFile("file", "sertifikat.pdf")
	_, _ = fw.Write(pdf)
	_ = mw.Close()
	up := f.call(t, "POST", "/v23.0/"+pnid+"/media", token, mw.FormDataContentType(), body.Bytes())
	id, _ := up.body["id"].(string)
	if up.status != 200 || id == "" {
		t.Fatalf("upload: %d %s", up.status, up.raw)
	}
	info := f.call(t, "GET", "/v23.0/"+id, token, "", nil)
	sum := sha256.Sum256(pdf)
	url, _ := info.body["url"].(string)
	if info.status != 200 || info.body["mime_type"] != "application/pdf" || info.body["sha256"] != hex.EncodeToString(sum[:]) ||
		info.body["file_size"] != float64(len(pdf)) || info.body["id"] != id || !strings.HasPrefix(url, f.graph.URL) {
		t.Fatalf("media info: %s", info.raw)
	}
	path := strings.TrimPrefix(url, f.graph.URL)
	if a := f.call(t, "GET", path, "", "", nil); a.status != 401 {
		t.Errorf("download without the bearer: %d", a.status)
	}
	if a := f.call(t, "GET", path, token, "", nil); a.status != 200 || !bytes.Equal(a.raw, pdf) {
		t.Errorf("download: %d %q", a.status, a.raw)
	}
	if a := f.call(t, "GET", "/v23.0/12345", token, "", nil); graphCode(t, a) != 100 {
		t.Errorf("unknown media: %s", a.raw)
	}
	// The document sent with that media shows on the chat page.
	doc := `{"messaging_product":"whatsapp","to":"` + siti + `","type":"document","document":{"id":"` + id + `","filename":"sertifikat.pdf","caption":"Sertifikat Anda"}}`
	if a := f.send(t, doc); a.status != 200 {
		t.Fatalf("document: %d %s", a.status, a.raw)
	}
	page := f.call(t, "GET", "/chat/messages?wa_id="+siti, "", "", nil)
	if !strings.Contains(string(page.raw), `"url":"/chat/media/`+id+`"`) || !strings.Contains(string(page.raw), "sertifikat.pdf") {
		t.Errorf("chat page: %s", page.raw)
	}
	if a := f.call(t, "GET", "/chat/media/"+id, "", "", nil); a.status != 200 || !bytes.Equal(a.raw, pdf) {
		t.Errorf("the page's PDF: %d", a.status)
	}
}

func TestInboundAsMetaSendsIt(t *testing.T) {
	f := newFixture(t, func(c *wastandin.Config) { c.NoStatuses = true })
	ctx := context.Background()
	if _, err := f.standin.Send(ctx, wastandin.Inbound{WaID: siti, Name: "Siti Aminah", UserID: "ID.1234567890", Text: "hai"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.standin.Send(ctx, wastandin.Inbound{WaID: siti, Name: "Siti Aminah", Context: "wamid.menu",
		Reply: &wastandin.Reply{Kind: "list_reply", ID: "menu:cert", Title: "Sertifikat Vaksin"}}); err != nil {
		t.Fatal(err)
	}
	photo := f.standin.AddMedia([]byte("\xff\xd8\xff foto KTP"), "image/jpeg", "ktp.jpg")
	if _, err := f.standin.Send(ctx, wastandin.Inbound{WaID: siti, Name: "Siti Aminah", MediaID: photo, Caption: "KTP saya"}); err != nil {
		t.Fatal(err)
	}
	var msgs []whatsapp.Message
	for _, c := range f.aduan.changes() {
		if c.Field != "messages" || c.PhoneNumberID != pnid || len(c.Contacts) != 1 || c.Contacts[0].WaID != siti || c.Contacts[0].Name != "Siti Aminah" {
			t.Errorf("change %+v", c)
		}
		msgs = append(msgs, c.Messages...)
	}
	if len(msgs) != 3 {
		t.Fatalf("messages %+v", msgs)
	}
	if m := msgs[0]; m.Type != "text" || m.Text != "hai" || m.From != siti || m.FromUser != "ID.1234567890" || m.Timestamp == "" ||
		!strings.HasPrefix(m.ID, "wamid.") {
		t.Errorf("text %+v", m)
	}
	if c := f.aduan.changes()[0].Contacts[0]; c.UserID != "ID.1234567890" || c.WaID != siti {
		t.Errorf("contact %+v: the user id and the wa_id are two identities", c)
	}
	if m := msgs[1]; m.Type != "interactive" || m.Reply == nil || *m.Reply != (whatsapp.Reply{Kind: "list_reply", ID: "menu:cert", Title: "Sertifikat Vaksin"}) || m.Context != "wamid.menu" {
		t.Errorf("list reply %+v", m)
	}
	if m := msgs[2]; m.Type != "image" || m.Media == nil || m.Media.ID != photo || m.Media.MimeType != "image/jpeg" || m.Media.Caption != "KTP saya" {
		t.Errorf("image %+v", m)
	}
	// Aduan fetches the photo the way it fetches Meta's.
	info := f.call(t, "GET", "/v23.0/"+photo, token, "", nil)
	if a := f.call(t, "GET", strings.TrimPrefix(info.body["url"].(string), f.graph.URL), token, "", nil); string(a.raw) != "\xff\xd8\xff foto KTP" {
		t.Errorf("photo download: %q", a.raw)
	}
}

func TestChatPage(t *testing.T) {
	f := newFixture(t, func(c *wastandin.Config) { c.Window = true })
	page := f.call(t, "GET", "/chat", "", "", nil)
	if page.status != 200 || !strings.Contains(string(page.raw), "Kemenkes RI") || !strings.Contains(string(page.raw), "/chat/static/chat.js") {
		t.Fatalf("chat page: %d", page.status)
	}
	if js := f.call(t, "GET", "/chat/static/chat.js", "", "", nil); js.status != 200 || !strings.Contains(string(js.raw), "/chat/send") {
		t.Errorf("chat.js: %d", js.status)
	}
	if a := f.call(t, "POST", "/chat/send", "", "application/json", []byte(`{"wa_id":"`+siti+`","name":"Siti","text":"hai"}`)); a.status != 200 {
		t.Fatalf("send: %d %s", a.status, a.raw)
	}
	// Writing opened the window: the bot's menu goes through.
	menu := `{"messaging_product":"whatsapp","to":"` + siti + `","type":"interactive","interactive":{"type":"button","body":{"text":"Pilih layanan"},` +
		`"action":{"buttons":[{"type":"reply","reply":{"id":"s1:cert","title":"Sertifikat Vaksin"}}]}}}`
	sent := f.send(t, menu)
	if sent.status != 200 {
		t.Fatalf("menu: %d %s", sent.status, sent.raw)
	}
	menuID := sent.body["messages"].([]any)[0].(map[string]any)["id"].(string)
	var log struct {
		Messages []struct {
			Dir     string
			ID      string
			Text    string
			Buttons []struct{ ID, Title string }
		}
	}
	if err := json.Unmarshal(f.call(t, "GET", "/chat/messages?wa_id="+siti, "", "", nil).raw, &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Messages) != 2 || log.Messages[0].Dir != "in" || log.Messages[0].Text != "hai" || log.Messages[1].ID != menuID ||
		len(log.Messages[1].Buttons) != 1 || log.Messages[1].Buttons[0].ID != "s1:cert" {
		t.Fatalf("conversation %+v", log)
	}
	// The page showed the menu: it is reported read, after sent and delivered.
	tap := `{"wa_id":"` + siti + `","name":"Siti","reply":{"kind":"button_reply","id":"s1:cert","title":"Sertifikat Vaksin"},"context":"` + menuID + `"}`
	if a := f.call(t, "POST", "/chat/send", "", "application/json", []byte(tap)); a.status != 200 {
		t.Fatalf("tap: %d %s", a.status, a.raw)
	}
	f.standin.Wait()
	var read bool
	var tapped *whatsapp.Message
	for _, c := range f.aduan.changes() {
		for _, s := range c.Statuses {
			read = read || (s.ID == menuID && s.Status == "read")
		}
		for i, m := range c.Messages {
			if m.Type == "interactive" {
				tapped = &c.Messages[i]
			}
		}
	}
	if !read {
		t.Error("the menu shown on the page was not reported read")
	}
	if tapped == nil || tapped.Reply.ID != "s1:cert" || tapped.Context != menuID {
		t.Errorf("the tap reached Aduan as %+v", tapped)
	}
	if a := f.call(t, "POST", "/chat/send", "", "application/json", []byte(`{"wa_id":"abc","text":"x"}`)); a.status != 400 {
		t.Errorf("a bad wa_id: %d", a.status)
	}
}

// The chat page shows an OTP template as the person reads it: the body's
// code once, not again for the copy-code button that carries it too.
func TestChatPageShowsATemplatesBody(t *testing.T) {
	f := newFixture(t, nil)
	otp := `{"messaging_product":"whatsapp","to":"` + siti + `","type":"template","template":{"name":"aduan_otp",` +
		`"language":{"code":"id"},"components":[{"type":"body","parameters":[{"type":"text","text":"482913"}]},` +
		`{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"482913"}]}]}}`
	if a := f.send(t, otp); a.status != 200 {
		t.Fatalf("template: %d %s", a.status, a.raw)
	}
	page := f.call(t, "GET", "/chat/messages?wa_id="+siti, "", "", nil)
	if !strings.Contains(string(page.raw), `"template":"aduan_otp: 482913"`) {
		t.Errorf("chat page: %s", page.raw)
	}
}
