// Package wastandin is a local stand-in for Meta's Graph API, the part of
// it the WhatsApp Cloud API uses, for demos and tests only: Aduan's
// production client talks to the configured Graph URL. It answers the
// documented shapes (messages, media upload and download, errors), records
// what Aduan sends, reports delivery statuses back to Aduan's webhook
// signed like Meta, and serves a chat page where a person talks to the bot
// as a complainant would, each message posted to the webhook in Meta's
// inbound shape.
package wastandin

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Config is the stand-in's configuration.
type Config struct {
	// AccessToken is the bearer token every Graph call must carry.
	AccessToken string
	// AppSecret signs what is posted to WebhookURL (X-Hub-Signature-256).
	AppSecret string
	// WebhookURL is Aduan's POST /webhooks/whatsapp; empty: no inbound
	// messages and no statuses are posted.
	WebhookURL string
	// PhoneNumberID, DisplayPhone and AccountID are the business number
	// as Meta names it in webhooks.
	PhoneNumberID string
	DisplayPhone  string
	AccountID     string
	// BaseURL is how Graph clients reach the stand-in, for media URLs;
	// empty: taken from each request's Host.
	BaseURL string
	// Window enforces the 24-hour customer service window: a message
	// other than a template to someone who has not written within 24
	// hours is refused with 131047. Off, every recipient is in the window.
	Window bool
	// NoStatuses keeps the stand-in from posting sent and delivered
	// statuses after each message.
	NoStatuses bool
	Client     *http.Client
	Now        func() time.Time
}

// Sent is one message Aduan sent through the stand-in.
type Sent struct {
	ID            string // the wamid answered
	PhoneNumberID string
	To            string
	Type          string // text, interactive, document, template, image…
	Body          json.RawMessage
	At            time.Time
}

// Server is the stand-in. Its methods are safe for concurrent use.
type Server struct {
	cfg Config
	mux *http.ServeMux

	mu          sync.Mutex
	sent        []Sent
	media       map[string]media
	wrote       map[string]time.Time // wa_id → when they last wrote
	notOnWA     map[string]bool
	rateLimited int
	chat        chatLog
	pending     sync.WaitGroup // statuses being posted
}

type media struct {
	data     []byte
	mimeType string
	sum      [32]byte // sha256
	filename string
}

// New returns a stand-in configured by cfg.
func New(cfg Config) *Server {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PhoneNumberID == "" {
		cfg.PhoneNumberID = "106540352242922"
	}
	if cfg.DisplayPhone == "" {
		cfg.DisplayPhone = "6281110500567"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "102290129340398"
	}
	s := &Server{cfg: cfg, media: map[string]media{}, wrote: map[string]time.Time{}, notOnWA: map[string]bool{},
		chat: chatLog{byWaID: map[string][]ChatEntry{}}}
	s.routes()
	return s
}

var graphVersion = regexp.MustCompile(`^/v[0-9]+\.[0-9]+(/|$)`)

// ServeHTTP serves the Graph API (with or without a version prefix such
// as /v23.0), the chat page under /chat and the admin calls under
// /_standin.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if loc := graphVersion.FindStringIndex(r.URL.Path); loc != nil {
		r.URL.Path = "/" + strings.TrimPrefix(r.URL.Path[loc[1]-1:], "/")
		r.URL.RawPath = ""
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST /{pnid}/messages", s.postMessage)
	m.HandleFunc("POST /{pnid}/media", s.uploadMedia)
	m.HandleFunc("GET /{mediaID}", s.mediaInfo)
	m.HandleFunc("GET /media-download/{id}", s.downloadMedia)
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/chat", http.StatusFound) })
	s.chatRoutes(m)
	m.HandleFunc("POST /_standin/not-on-whatsapp", s.adminNotOnWhatsApp)
	m.HandleFunc("POST /_standin/rate-limit", s.adminRateLimit)
	m.HandleFunc("GET /_standin/sent", s.adminSent)
	s.mux = m
}

// Sent returns the messages Aduan sent, oldest first.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// NotOnWhatsApp marks waID as a number with no WhatsApp account: messages
// to it are refused with 131026.
func (s *Server) NotOnWhatsApp(waID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notOnWA[waID] = true
}

// RateLimit refuses the next n messages with 130429, as Meta does when
// the number's throughput is exceeded.
func (s *Server) RateLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimited = n
}

// Wrote records that waID wrote at t, opening the 24-hour window.
func (s *Server) Wrote(waID string, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wrote[waID] = t
}

// AddMedia stores a file as media, as a person's upload would be, and
// returns its media id.
func (s *Server) AddMedia(data []byte, mimeType, filename string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addMediaLocked(data, mimeType, filename)
}

// Wait returns once the statuses being posted are done.
func (s *Server) Wait() { s.pending.Wait() }

func (s *Server) adminNotOnWhatsApp(w http.ResponseWriter, r *http.Request) {
	var in struct {
		WaID string `json:"wa_id"`
	}
	if json.NewDecoder(r.Body).Decode(&in) != nil || in.WaID == "" {
		http.Error(w, `want {"wa_id":"628…"}`, http.StatusBadRequest)
		return
	}
	s.NotOnWhatsApp(in.WaID)
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

func (s *Server) adminRateLimit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Count int `json:"count"`
	}
	if json.NewDecoder(r.Body).Decode(&in) != nil || in.Count < 0 {
		http.Error(w, `want {"count":N}`, http.StatusBadRequest)
		return
	}
	s.RateLimit(in.Count)
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

func (s *Server) adminSent(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"messages": s.Sent()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// newID returns a random id with prefix, in the style of Meta's ids.
func newID(prefix string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// newMediaID returns a numeric media id, as Meta's are.
func newMediaID() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	var sb strings.Builder
	sb.WriteByte('1')
	for _, c := range b {
		sb.WriteByte('0' + c%10)
		sb.WriteByte('0' + (c/10)%10)
	}
	return sb.String()
}
