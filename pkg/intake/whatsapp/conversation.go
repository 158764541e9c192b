package whatsapp

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The steps of a conversation: what the bot waits for.
const (
	stepStart    = ""          // nothing yet: any message opens the main menu
	stepMain     = "main"      // a choice of the main menu
	stepPhone    = "phone"     // the phone number registered in the app
	stepOTP      = "otp"       // the code sent to it
	stepServices = "services"  // Download Sertifikat, Status Vaksinasi, Ubah Info Diri
	stepChange   = "change"    // Ubah Nama or Ubah Nomor HP
	stepName     = "name"      // the name as on the KTP
	stepNIK      = "nik"       // the NIK
	stepNewPhone = "new_phone" // the new number, for Ubah Nomor HP
	stepDoseDate = "dose_date" // the date of the last dose, when none is on record
	stepTicket   = "ticket"    // escalated: what the person writes goes onto the ticket
)

// The services behind the three buttons, and the two changes.
const (
	serviceDownload = "download"
	serviceStatus   = "status"
	serviceChange   = "change"
	changeName      = "name"
	changePhone     = "phone"
)

// state is what the bot remembers of a conversation between messages,
// kept as JSON in the store.
type state struct {
	// Seq numbers the bot's interactive prompts; a button's id carries the
	// Seq it was sent with, so a tap on an older one is recognised.
	Seq    int `json:"seq"`
	Misses int `json:"misses,omitempty"` // misunderstood messages in a row
	// Mismatches are names and NIKs the registry did not bear out.
	Mismatches int    `json:"mismatches,omitempty"`
	Phone      string `json:"phone,omitempty"`    // typed, waiting for its code
	Verified   string `json:"verified,omitempty"` // the number the code proved
	Service    string `json:"service,omitempty"`
	Change     string `json:"change,omitempty"`
	Name       string `json:"name,omitempty"`
	NIK        string `json:"nik,omitempty"`
	// AwaitKTP: the ticket waits for a photo of the KTP; the next image
	// is attached as one.
	AwaitKTP   bool   `json:"await_ktp,omitempty"`
	TicketNo   string `json:"ticket_no,omitempty"`
	Transcript []line `json:"transcript,omitempty"`
}

// line is one message of the conversation, kept so a ticket opened from
// it starts with what was said.
type line struct {
	At   time.Time `json:"at"`
	Bot  bool      `json:"bot,omitempty"`
	Text string    `json:"text"`
}

// maxTranscript bounds the lines kept: a ticket needs the recent
// conversation, not a year of it.
const maxTranscript = 60

func (s *state) record(at time.Time, bot bool, text string) {
	const maxLine = 600
	if utf8.RuneCountInString(text) > maxLine {
		text = string([]rune(text)[:maxLine]) + "…"
	}
	s.Transcript = append(s.Transcript, line{At: at, Bot: bot, Text: text})
	if over := len(s.Transcript) - maxTranscript; over > 0 {
		s.Transcript = append([]line(nil), s.Transcript[over:]...)
	}
}

// transcriptText renders the conversation as a ticket's first message.
func (s *state) transcriptText() string {
	var b strings.Builder
	b.WriteString("Percakapan dengan bot WhatsApp:\n")
	for _, l := range s.Transcript {
		who := "Pelapor"
		if l.Bot {
			who = "Bot"
		}
		fmt.Fprintf(&b, "\n[%s %s] %s: %s", date(l.At), clock(l.At), who, l.Text)
	}
	return b.String()
}

// option is one choice of an interactive step: the action its button id
// carries and its title.
type option struct {
	action, title string
}

// options are the choices the bot offers at step.
func options(step string) []option {
	switch step {
	case stepMain:
		return []option{{"cert", titleCertificate}, {"agent", titleAgent}}
	case stepServices:
		return []option{{serviceDownload, titleDownload}, {serviceStatus, titleStatus}, {serviceChange, titleChange}}
	case stepChange:
		return []option{{changeName, titleChangeName}, {changePhone, titleChangePhone}}
	}
	return nil
}

// buttonID is the id of a button sent with prompt seq: "s7:download".
func buttonID(seq int, action string) string { return "s" + strconv.Itoa(seq) + ":" + action }

// parseButtonID reads an id buttonID made; ok is false for any other.
func parseButtonID(id string) (seq int, action string, ok bool) {
	head, action, found := strings.Cut(id, ":")
	if !found || !strings.HasPrefix(head, "s") || action == "" {
		return 0, "", false
	}
	seq, err := strconv.Atoi(head[1:])
	if err != nil {
		return 0, "", false
	}
	return seq, action, true
}

// fold is text as the bot compares it: lower case, letters and digits
// only, so "Siti  Aminah," and "siti aminah" are one name.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// sameName compares names leniently: case, spaces and punctuation aside.
func sameName(a, b string) bool { return fold(a) != "" && fold(a) == fold(b) }

// greetings open the main menu from any step (someone starting over), and
// are never counted as a misunderstanding; while an agent has the
// conversation they go to the agent like any other message.
var greetings = map[string]bool{"hai": true, "hi": true, "halo": true, "hallo": true, "hello": true, "p": true,
	"assalamualaikum": true, "pagi": true, "siang": true, "sore": true, "malam": true, "start": true, "mulai": true}
