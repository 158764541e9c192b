package wastandin

import (
	"embed"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed static
var static embed.FS

// ChatEntry is one line of a conversation on the chat page.
type ChatEntry struct {
	Seq  int       `json:"seq"`
	Dir  string    `json:"dir"` // in (the person), out (the bot), note (the stand-in)
	At   time.Time `json:"at"`
	WaID string    `json:"-"`
	// ID is the wamid: the bot's message, so a tap can answer it.
	ID       string       `json:"id,omitempty"`
	Text     string       `json:"text,omitempty"`
	Buttons  []chatOption `json:"buttons,omitempty"`
	List     *chatList    `json:"list,omitempty"`
	Document *chatFile    `json:"document,omitempty"`
	Image    *chatFile    `json:"image,omitempty"`
	Template string       `json:"template,omitempty"` // "name: params…"
	Read     bool         `json:"read,omitempty"`     // the bot marked the person's message read
}

type chatOption struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

type chatList struct {
	Button string       `json:"button"`
	Rows   []chatOption `json:"rows"`
}

type chatFile struct {
	URL      string `json:"url"`
	Filename string `json:"filename,omitempty"`
	Caption  string `json:"caption,omitempty"`
}

// chatLog keeps each person's conversation for the page.
type chatLog struct {
	mu     sync.Mutex
	seq    int
	byWaID map[string][]ChatEntry
}

func (l *chatLog) add(e ChatEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	e.Seq = l.seq
	l.byWaID[e.WaID] = append(l.byWaID[e.WaID], e)
}

func (l *chatLog) note(waID, text string) {
	l.add(ChatEntry{Dir: "note", WaID: waID, At: time.Now(), Text: text})
}

func (l *chatLog) markBusinessRead(wamid string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for waID, entries := range l.byWaID {
		for i := range entries {
			if entries[i].ID == wamid && entries[i].Dir == "in" {
				l.byWaID[waID][i].Read = true
			}
		}
	}
}

// after returns waID's entries after seq, and the bot's messages among
// them, to be reported read now that the page showed them.
func (l *chatLog) after(waID string, seq int) []ChatEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []ChatEntry
	for _, e := range l.byWaID[waID] {
		if e.Seq > seq || e.Dir == "in" { // read marks may change on the person's old messages
			out = append(out, e)
		}
	}
	return out
}

// addOutbound turns a message Aduan sent into what the page shows.
func (l *chatLog) addOutbound(s *Server, sent Sent) {
	var m struct {
		Text        struct{ Body string }
		Interactive struct {
			Type   string
			Body   struct{ Text string }
			Action struct {
				Button  string
				Buttons []struct {
					Reply chatOption
				}
				Sections []struct {
					Rows []chatOption
				}
			}
		}
		Document struct{ ID, Filename, Caption, Link string }
		Image    struct{ ID, Caption, Link string }
		Template struct {
			Name       string
			Components []struct {
				Type       string
				Parameters []struct{ Text string }
			}
		}
	}
	_ = json.Unmarshal(sent.Body, &m) // postMessage has read it as JSON already
	e := ChatEntry{Dir: "out", WaID: sent.To, At: sent.At, ID: sent.ID}
	switch sent.Type {
	case "text":
		e.Text = m.Text.Body
	case "interactive":
		e.Text = m.Interactive.Body.Text
		for _, b := range m.Interactive.Action.Buttons {
			e.Buttons = append(e.Buttons, b.Reply)
		}
		if m.Interactive.Type == "list" {
			e.List = &chatList{Button: m.Interactive.Action.Button}
			for _, sec := range m.Interactive.Action.Sections {
				e.List.Rows = append(e.List.Rows, sec.Rows...)
			}
		}
	case "document":
		e.Document = &chatFile{URL: mediaLink(m.Document.ID, m.Document.Link), Filename: m.Document.Filename, Caption: m.Document.Caption}
	case "image":
		e.Image = &chatFile{URL: mediaLink(m.Image.ID, m.Image.Link), Caption: m.Image.Caption}
	case "template":
		// The body's parameters are what the person reads; a button's
		// (the OTP's copy-code button repeats the code) is not shown twice.
		var params []string
		for _, c := range m.Template.Components {
			if c.Type != "body" {
				continue
			}
			for _, p := range c.Parameters {
				params = append(params, p.Text)
			}
		}
		e.Template = m.Template.Name + ": " + strings.Join(params, ", ")
	default:
		e.Text = "(" + sent.Type + ")"
	}
	l.add(e)
}

func mediaLink(id, link string) string {
	if id != "" {
		return "/chat/media/" + id
	}
	return link
}

func (s *Server) chatRoutes(m *http.ServeMux) {
	m.Handle("GET /chat/static/", http.StripPrefix("/chat", http.FileServerFS(static)))
	m.HandleFunc("GET /chat", func(w http.ResponseWriter, r *http.Request) {
		page, _ := static.ReadFile("static/chat.html")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	m.HandleFunc("GET /chat/messages", s.chatMessages)
	m.HandleFunc("POST /chat/send", s.chatSend)
	m.HandleFunc("POST /chat/photo", s.chatPhoto)
	m.HandleFunc("GET /chat/media/{id}", s.chatMedia)
}

// chatMessages answers the page's poll and reports the bot's messages it
// now shows as read, as the person's phone would.
func (s *Server) chatMessages(w http.ResponseWriter, r *http.Request) {
	waID := r.URL.Query().Get("wa_id")
	seq, _ := strconv.Atoi(r.URL.Query().Get("after"))
	entries := s.chat.after(waID, seq)
	for _, e := range entries {
		if e.Dir == "out" && e.Seq > seq && !s.cfg.NoStatuses {
			s.postStatusesLater(Sent{ID: e.ID, To: waID}, "read")
		}
	}
	if entries == nil {
		entries = []ChatEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": entries})
}

type chatIn struct {
	WaID    string `json:"wa_id"`
	Name    string `json:"name"`
	Text    string `json:"text"`
	Reply   *Reply `json:"reply"`
	Context string `json:"context"`
}

// chatSend posts what the person typed or tapped to Aduan's webhook.
func (s *Server) chatSend(w http.ResponseWriter, r *http.Request) {
	var in chatIn
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&in); err != nil || !validWaID(in.WaID) ||
		(strings.TrimSpace(in.Text) == "" && in.Reply == nil) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "nomor WhatsApp (angka saja) dan pesan wajib diisi"})
		return
	}
	msg := Inbound{WaID: in.WaID, Name: in.Name, Text: in.Text, Reply: in.Reply, Context: in.Context}
	s.deliverInbound(w, r, msg, func(e *ChatEntry) {
		e.Text = in.Text
		if in.Reply != nil {
			e.Text = in.Reply.Title
		}
	})
}

// chatPhoto stores the person's photo as media and posts an image
// message; Aduan downloads it through the Graph endpoints.
func (s *Server) chatPhoto(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxMedia+1<<20)
	waID := r.FormValue("wa_id")
	f, hdr, err := r.FormFile("file")
	if err != nil || !validWaID(waID) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "pilih foto dan isi nomor WhatsApp"})
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "foto tidak terbaca"})
		return
	}
	mime := hdr.Header.Get("Content-Type")
	if !strings.HasPrefix(mime, "image/") {
		mime = http.DetectContentType(data)
	}
	id := s.AddMedia(data, mime, hdr.Filename)
	msg := Inbound{WaID: waID, Name: r.FormValue("name"), MediaID: id, Caption: r.FormValue("caption")}
	s.deliverInbound(w, r, msg, func(e *ChatEntry) {
		e.Image = &chatFile{URL: "/chat/media/" + id, Filename: hdr.Filename, Caption: msg.Caption}
	})
}

func (s *Server) deliverInbound(w http.ResponseWriter, r *http.Request, msg Inbound, show func(*ChatEntry)) {
	wamid, err := s.Send(r.Context(), msg)
	if err != nil {
		s.chat.note(msg.WaID, "Aduan tidak menerima pesan: "+err.Error())
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	e := ChatEntry{Dir: "in", WaID: msg.WaID, At: s.cfg.Now(), ID: wamid}
	show(&e)
	s.chat.add(e)
	writeJSON(w, http.StatusOK, map[string]string{"id": wamid})
}

// chatMedia serves media to the page: the person's photos and the
// documents the bot sent (the certificate PDF).
func (s *Server) chatMedia(w http.ResponseWriter, r *http.Request) {
	m, ok := s.mediaByID(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", m.mimeType)
	if m.filename != "" {
		w.Header().Set("Content-Disposition", `inline; filename="`+strings.ReplaceAll(m.filename, `"`, "")+`"`)
	}
	_, _ = w.Write(m.data)
}

func validWaID(s string) bool {
	if len(s) < 8 || len(s) > 15 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
