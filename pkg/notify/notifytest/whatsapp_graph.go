package notifytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// GraphToken is the bearer token Graph expects.
const GraphToken = "test-access-token"

// Graph is Meta's Graph API as the WhatsApp tests need it, on an
// httptest server, answering in Meta's documented shapes: sends, read
// receipts, media upload, and media download in two steps (GET
// /{media-id} for a URL, then the URL), all with the bearer token.
type Graph struct {
	URL string

	mu      sync.Mutex
	sent    []GraphSend
	reads   []string
	uploads []string
	media   map[string][]byte
	fails   map[string]int // media id → downloads still to fail
	answers []GraphAnswer  // scripted answers to the next sends
	n       int
}

// GraphSend is one message POSTed to /{phone-number-id}/messages.
type GraphSend struct {
	PhoneNumberID string
	Body          map[string]any
	Raw           string
	// WaMID is the id Graph answered with; "" when it answered an error.
	WaMID string
}

// To is the recipient of s.
func (s GraphSend) To() string { v, _ := s.Body["to"].(string); return v }

// Type is the message type of s (text, interactive, document, template).
func (s GraphSend) Type() string { v, _ := s.Body["type"].(string); return v }

// GraphAnswer is a scripted error answer: HTTP status and Meta's code.
type GraphAnswer struct {
	Status int
	Code   int
	Title  string
}

// NewGraph starts a Graph, closed when the test ends.
func NewGraph(t testing.TB) *Graph {
	g := &Graph{media: map[string][]byte{}, fails: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(srv.Close)
	g.URL = srv.URL + "/v23.0"
	return g
}

// AddMedia makes data downloadable as media id.
func (g *Graph) AddMedia(id string, data []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.media[id] = data
}

// FailMedia makes the next n downloads of media id fail with a 500.
func (g *Graph) FailMedia(id string, n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fails[id] = n
}

// Answer queues error answers for the next sends, in order.
func (g *Graph) Answer(a ...GraphAnswer) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.answers = append(g.answers, a...)
}

// Sent returns the messages sent so far (errors answered included).
func (g *Graph) Sent() []GraphSend {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]GraphSend(nil), g.sent...)
}

// Reads returns the wamids marked read so far.
func (g *Graph) Reads() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.reads...)
}

// Uploads returns the files uploaded so far (their form field type and name).
func (g *Graph) Uploads() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.uploads...)
}

func (g *Graph) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+GraphToken {
		graphError(w, http.StatusUnauthorized, 190, "OAuthException")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/v23.0/")
	switch {
	case strings.HasPrefix(r.URL.Path, "/files/"):
		g.download(w, strings.TrimPrefix(r.URL.Path, "/files/"))
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/messages"):
		g.message(w, r, strings.TrimSuffix(path, "/messages"))
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/media"):
		if err := r.ParseMultipartForm(32 << 20); err != nil || r.FormValue("messaging_product") != "whatsapp" {
			graphError(w, http.StatusBadRequest, 100, "OAuthException")
			return
		}
		_, fh, err := r.FormFile("file")
		if err != nil {
			graphError(w, http.StatusBadRequest, 100, "OAuthException")
			return
		}
		g.mu.Lock()
		g.n++
		id := fmt.Sprintf("media%d", g.n)
		g.uploads = append(g.uploads, r.FormValue("type")+" "+fh.Filename)
		g.mu.Unlock()
		writeJSON(w, map[string]string{"id": id})
	case r.Method == http.MethodGet && !strings.Contains(path, "/"):
		g.mu.Lock()
		data, ok := g.media[path]
		g.mu.Unlock()
		if !ok {
			graphError(w, http.StatusNotFound, 100, "OAuthException")
			return
		}
		writeJSON(w, map[string]any{"messaging_product": "whatsapp", "url": "http://" + r.Host + "/files/" + path,
			"mime_type": "image/jpeg", "sha256": "x", "file_size": len(data), "id": path})
	default:
		http.NotFound(w, r)
	}
}

func (g *Graph) download(w http.ResponseWriter, id string) {
	g.mu.Lock()
	data, ok := g.media[id]
	fail := g.fails[id] > 0
	if fail {
		g.fails[id]--
	}
	g.mu.Unlock()
	switch {
	case fail:
		http.Error(w, "try again", http.StatusInternalServerError)
	case !ok:
		http.NotFound(w, nil)
	default:
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(data)
	}
}

func (g *Graph) message(w http.ResponseWriter, r *http.Request, pnid string) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if json.Unmarshal(raw, &body) != nil || body["messaging_product"] != "whatsapp" {
		graphError(w, http.StatusBadRequest, 100, "OAuthException")
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if body["status"] == "read" {
		id, _ := body["message_id"].(string)
		g.reads = append(g.reads, id)
		writeJSON(w, map[string]bool{"success": true})
		return
	}
	s := GraphSend{PhoneNumberID: pnid, Body: body, Raw: string(raw)}
	if len(g.answers) > 0 {
		a := g.answers[0]
		g.answers = g.answers[1:]
		g.sent = append(g.sent, s)
		graphError(w, a.Status, a.Code, a.Title)
		return
	}
	g.n++
	s.WaMID = fmt.Sprintf("wamid.OUT%d", g.n)
	g.sent = append(g.sent, s)
	to := s.To()
	writeJSON(w, map[string]any{"messaging_product": "whatsapp",
		"contacts": []map[string]string{{"input": to, "wa_id": to}},
		"messages": []map[string]string{{"id": s.WaMID}}})
}

func graphError(w http.ResponseWriter, status, code int, title string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": "(#" + fmt.Sprint(code) + ") " + title,
		"type": title, "code": code, "error_data": map[string]string{"messaging_product": "whatsapp", "details": title},
		"fbtrace_id": "AbCdEf"}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
