package wastandin

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// MaxMedia bounds an uploaded file (Meta's limit for documents is 100 MB;
// a demo needs far less).
const MaxMedia = 16 << 20

// graphError is Meta's error answer.
type graphError struct {
	Status    int
	Message   string
	Type      string
	Code      int
	Subcode   int
	Details   string
	TraceID   string
	ErrorData map[string]string
}

func (e graphError) write(w http.ResponseWriter) {
	if e.Type == "" {
		e.Type = "OAuthException"
	}
	writeJSON(w, e.Status, map[string]any{"error": map[string]any{
		"message": e.Message, "type": e.Type, "code": e.Code, "error_subcode": e.Subcode,
		"error_data": map[string]string{"messaging_product": "whatsapp", "details": e.Details},
		"fbtrace_id": newID("A", 12),
	}})
}

var (
	errToken = graphError{Status: http.StatusUnauthorized, Code: 190, Subcode: 463,
		Message: "Invalid OAuth access token - Cannot parse access token", Details: "The access token is missing or wrong."}
	errOutsideWindow = graphError{Status: http.StatusBadRequest, Code: 131047, Subcode: 2494010,
		Message: "(#131047) Re-engagement message",
		Details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}
	errUndeliverable = graphError{Status: http.StatusBadRequest, Code: 131026, Subcode: 2494055,
		Message: "(#131026) Message Undeliverable", Details: "Message Undeliverable: the recipient is not a WhatsApp user."}
	errRateLimit = graphError{Status: http.StatusBadRequest, Code: 130429, Subcode: 2494011,
		Message: "(#130429) Rate limit hit", Details: "Cloud API message throughput has been reached."}
)

func errParam(details string) graphError {
	return graphError{Status: http.StatusBadRequest, Code: 100, Message: "(#100) Invalid parameter", Details: details}
}

func errNoObject(id string) graphError {
	return graphError{Status: http.StatusBadRequest, Code: 100, Subcode: 33, Type: "GraphMethodException",
		Message: fmt.Sprintf("Unsupported request - method type: get/post, object with ID '%s' does not exist", id),
		Details: "No such object."}
}

// authorized checks the bearer token in constant time.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || s.cfg.AccessToken == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.AccessToken)) != 1 {
		errToken.write(w)
		return false
	}
	return true
}

// outbound is the part of a POST /{pnid}/messages body the stand-in reads.
type outbound struct {
	MessagingProduct string `json:"messaging_product"`
	To               string `json:"to"`
	Type             string `json:"type"`
	Status           string `json:"status"`     // "read": a read receipt
	MessageID        string `json:"message_id"` // the wamid a read receipt marks
}

// postMessage answers POST /{pnid}/messages: a message, or a read receipt.
func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	pnid := r.PathValue("pnid")
	if pnid != s.cfg.PhoneNumberID {
		errNoObject(pnid).write(w)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		errParam("unreadable body").write(w)
		return
	}
	var in outbound
	if err := json.Unmarshal(body, &in); err != nil {
		errParam("the body is not JSON: " + err.Error()).write(w)
		return
	}
	if in.MessagingProduct != "whatsapp" {
		errParam(`messaging_product must be "whatsapp"`).write(w)
		return
	}
	if in.Status == "read" {
		if in.MessageID == "" {
			errParam("message_id is required").write(w)
			return
		}
		s.chat.markBusinessRead(in.MessageID)
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
		return
	}
	if in.To == "" || in.Type == "" {
		errParam("to and type are required").write(w)
		return
	}
	waID := strings.TrimPrefix(in.To, "+")
	now := s.cfg.Now()
	s.mu.Lock()
	switch {
	case s.rateLimited > 0:
		s.rateLimited--
		s.mu.Unlock()
		errRateLimit.write(w)
		return
	case s.notOnWA[waID]:
		s.mu.Unlock()
		errUndeliverable.write(w)
		return
	case s.cfg.Window && in.Type != "template" && now.Sub(s.wrote[waID]) > 24*time.Hour:
		s.mu.Unlock()
		errOutsideWindow.write(w)
		return
	}
	sent := Sent{ID: newID("wamid.HBgN", 24), PhoneNumberID: pnid, To: waID, Type: in.Type, Body: body, At: now}
	s.sent = append(s.sent, sent)
	s.mu.Unlock()
	s.chat.addOutbound(s, sent)
	writeJSON(w, http.StatusOK, map[string]any{
		"messaging_product": "whatsapp",
		"contacts":          []map[string]string{{"input": in.To, "wa_id": waID}},
		"messages":          []map[string]string{{"id": sent.ID}},
	})
	if !s.cfg.NoStatuses {
		s.postStatusesLater(sent, "sent", "delivered")
	}
}

// uploadMedia answers POST /{pnid}/media (multipart: messaging_product,
// file, type) with the new media id.
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	if pnid := r.PathValue("pnid"); pnid != s.cfg.PhoneNumberID {
		errNoObject(pnid).write(w)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxMedia+1<<20)
	if err := r.ParseMultipartForm(MaxMedia); err != nil {
		errParam("a multipart body with messaging_product, file and type: " + err.Error()).write(w)
		return
	}
	if r.FormValue("messaging_product") != "whatsapp" {
		errParam(`messaging_product must be "whatsapp"`).write(w)
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		errParam("file is required").write(w)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		errParam("unreadable file").write(w)
		return
	}
	typ := r.FormValue("type")
	if typ == "" {
		typ = hdr.Header.Get("Content-Type")
	}
	if typ == "" {
		errParam("type is required").write(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": s.AddMedia(data, typ, hdr.Filename)})
}

// mediaInfo answers GET /{media-id} with where to download the file.
func (s *Server) mediaInfo(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	id := r.PathValue("mediaID")
	m, ok := s.mediaByID(id)
	if !ok {
		errNoObject(id).write(w)
		return
	}
	base := s.cfg.BaseURL
	if base == "" {
		base = "http://" + r.Host
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"messaging_product": "whatsapp",
		"url":               strings.TrimRight(base, "/") + "/media-download/" + id,
		"mime_type":         m.mimeType,
		"sha256":            hex.EncodeToString(m.sum[:]), // hex here, base64 in webhooks, as Meta sends them
		"file_size":         len(m.data),
		"id":                id,
	})
}

// downloadMedia serves a media file's bytes, to a bearer of the token
// only, as Meta's media URLs do.
func (s *Server) downloadMedia(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	m, ok := s.mediaByID(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", m.mimeType)
	_, _ = w.Write(m.data)
}

func (s *Server) mediaByID(id string) (media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	return m, ok
}

func (s *Server) addMediaLocked(data []byte, mimeType, filename string) string {
	id := newMediaID()
	s.media[id] = media{data: data, mimeType: mimeType, filename: filename, sum: sha256.Sum256(data)}
	return id
}
