package intake

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aduan/aduan/pkg/ticket"
)

// Call is what a call-center agent types while the caller waits: the body
// of POST /api/v1/tickets and the console's call form, checked by the same
// rules (Inbound) wherever it is typed.
type Call struct {
	Channel     string `json:"channel"`
	Category    string `json:"category"`
	Description string `json:"description"`
	Subject     string `json:"subject"`
	CallRef     string `json:"call_ref"`
	Priority    string `json:"priority"`
	Complainant Caller `json:"complainant"`
}

// Caller is the person on the line, as the agent typed them in.
type Caller struct {
	Name       string `json:"name"`
	NIK        string `json:"nik"`
	Phone      string `json:"phone"`
	Email      string `json:"email"`
	BirthPlace string `json:"birth_place"`
	BirthDate  string `json:"birth_date"`
}

// Limits on what an agent types.
const (
	// MaxDescription bounds the complaint, in characters.
	MaxDescription = 5000
	maxSubject     = 200
	maxCallRef     = 100
	maxBirthPlace  = 100
)

// Inbound validates a call and turns it into the Ingester's shape. Every
// rejected field is named (complainant.nik, description…), with a message
// the agent can act on.
func (req Call) Inbound(agent ticket.User, now time.Time) (Inbound, error) {
	f := ticket.FieldErrors{}
	in := Inbound{Channel: ticket.ChannelCallCenter, AuthorID: &agent.ID}
	if req.Channel != string(ticket.ChannelCallCenter) {
		f.Add("channel", `kanal harus "callcenter"; kanal lain masuk lewat email dan WhatsApp`)
	}
	if in.Category = ticket.Category(req.Category); !in.Category.Valid() {
		f.Add("category", "kategori wajib dipilih dari daftar: "+JoinValues(ticket.Categories))
	}
	if req.Priority != "" {
		if in.Priority = ticket.Priority(req.Priority); !in.Priority.Valid() {
			f.Add("priority", "prioritas harus salah satu dari: "+JoinValues(ticket.Priorities))
		}
	}
	in.Body = strings.TrimSpace(req.Description)
	if in.Body == "" {
		f.Add("description", "keluhan wajib diisi")
	} else if utf8.RuneCountInString(in.Body) > MaxDescription {
		f.Add("description", fmt.Sprintf("keluhan paling banyak %d karakter", MaxDescription))
	}
	in.Subject = strings.TrimSpace(req.Subject)
	if utf8.RuneCountInString(in.Subject) > maxSubject {
		f.Add("subject", fmt.Sprintf("judul paling banyak %d karakter", maxSubject))
	}
	in.CallRef = strings.TrimSpace(req.CallRef)
	if utf8.RuneCountInString(in.CallRef) > maxCallRef {
		f.Add("call_ref", fmt.Sprintf("nomor referensi panggilan paling banyak %d karakter", maxCallRef))
	}
	c, warnings := req.Complainant.Complainant(f, now)
	in.Complainant, in.Warnings = c, warnings
	return in, f.Err()
}

// Complainant validates the caller into f and returns them with any
// warnings for the ticket (a NIK whose date disagrees with the birth date).
func (r Caller) Complainant(f ticket.FieldErrors, now time.Time) (ticket.Complainant, []string) {
	var c ticket.Complainant
	var warnings []string
	var err error
	if c.Name, err = ticket.NormalizeName(r.Name); err != nil {
		f.Add("complainant.name", ticket.ErrorMessage(err))
	}
	var nik ticket.NIKInfo
	if strings.TrimSpace(r.NIK) == "" {
		f.Add("complainant.nik", "NIK wajib diisi (16 digit pada KTP)")
	} else if nik, err = ticket.ParseNIK(r.NIK, now); err != nil {
		f.Add("complainant.nik", ticket.ErrorMessage(err))
	} else {
		c.NIK, c.NIKWarnings = ticket.NormalizeNIK(r.NIK), nik.Warnings
	}
	if strings.TrimSpace(r.Phone) == "" {
		f.Add("complainant.phone", "nomor HP wajib diisi")
	} else if c.Phone, err = ticket.NormalizePhone(r.Phone); err != nil {
		f.Add("complainant.phone", ticket.ErrorMessage(err))
	}
	if strings.TrimSpace(r.Email) != "" {
		if c.Email, err = ticket.NormalizeEmail(r.Email); err != nil {
			f.Add("complainant.email", ticket.ErrorMessage(err))
		}
	}
	c.BirthPlace = strings.Join(strings.Fields(r.BirthPlace), " ")
	if utf8.RuneCountInString(c.BirthPlace) > maxBirthPlace {
		f.Add("complainant.birth_place", fmt.Sprintf("tempat lahir paling banyak %d karakter", maxBirthPlace))
	}
	if strings.TrimSpace(r.BirthDate) != "" {
		d, err := ticket.ParseBirthDate(strings.TrimSpace(r.BirthDate), now)
		if err != nil {
			f.Add("complainant.birth_date", ticket.ErrorMessage(err))
		} else {
			c.BirthDate = &d
			if c.NIK != "" && !nik.MatchesBirthDate(d) {
				warnings = append(warnings, "Tanggal lahir dalam NIK tidak cocok dengan tanggal lahir yang disebutkan pelapor.")
			}
		}
	}
	return c, warnings
}

// Fingerprint identifies the call's content, so a repeated
// Idempotency-Key with another body is told apart from a retry.
func (req Call) Fingerprint() string {
	b, _ := json.Marshal(req)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// JoinValues lists the values of an enumeration for an error message.
func JoinValues[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
