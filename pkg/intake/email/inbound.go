package email

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/ticket"
)

// Blobs stores bytes under their sha256.
type Blobs interface {
	Put(r io.Reader) (sum string, size int64, err error)
}

// Limits bound what one mail may bring in; what is over is recorded, not
// stored, and the complainant is told.
type Limits struct {
	MaxAttachment int64 // one file; default 10 MiB
	MaxMail       int64 // all of a mail's files together; default 25 MiB
}

// Adapter turns a parsed complaint mail into the Ingester's Inbound: the
// form's fields validated, attachments stored, thread hints gathered.
type Adapter struct {
	rules  *CategoryRules
	blobs  Blobs
	limits Limits
	now    func() time.Time
}

// NewAdapter returns an adapter guessing categories with rules and storing
// attachments in blobs.
func NewAdapter(rules *CategoryRules, blobs Blobs, limits Limits) *Adapter {
	if limits.MaxAttachment <= 0 {
		limits.MaxAttachment = 10 << 20
	}
	if limits.MaxMail <= 0 {
		limits.MaxMail = 25 << 20
	}
	return &Adapter{rules: rules, blobs: blobs, limits: limits, now: time.Now}
}

var replyPrefix = regexp.MustCompile(`(?i)^\s*(re|balas|aw|sv|antw)\s*:`)

// Inbound builds the Ingester's item for m, whose raw bytes are stored
// under rawSHA. Data problems never reject a mail: they become warnings
// and a ticket in needs_info that names what is missing.
func (a *Adapter) Inbound(m *Mail, raw []byte, rawSHA string) (intake.Inbound, error) {
	now := a.now()
	form := extractForm(m.Text, now)
	in := intake.Inbound{
		Channel: ticket.ChannelEmail, SourceID: SourceID(m, raw), RawSHA256: rawSHA,
		Subject: strings.TrimSpace(m.Subject), Body: m.Text, HTML: m.HTML, ReadWarnings: m.Warnings,
		Automatic: m.Automatic, Ack: m.Automatic == "",
		ThreadRefs:     append(bracketed(m.InReplyTo), bracketed(m.References)...),
		LooksLikeReply: replyPrefix.MatchString(m.Subject), Status: ticket.DefaultStatus,
	}
	in.ThreadNumber = ticket.FindNumber(m.Subject)
	if m.Bounce.Failed() && m.Bounce.OriginalMessageID != "" {
		// A delay or a success report stays automatic mail, but our
		// message may still arrive, so it is not marked failed.
		in.Bounced = "<" + m.Bounce.OriginalMessageID + ">"
	}
	var missing []string
	in.Complainant, in.Warnings, missing = complainantOf(m, form, now)
	in.Sender = in.Complainant.Email // answers go where the mail came from, whatever the record holds
	in.Category = a.rules.Guess(m.Subject + "\n" + form.Complaint)
	attachments, docs, err := a.storeAttachments(m.Attachments)
	if err != nil {
		return in, err
	}
	in.Attachments, in.Documents = attachments, docs
	if in.Category.NeedsDocuments() {
		for _, d := range ticket.RequiredDocuments {
			if docs.State(d.Kind) == ticket.DocMissing {
				missing = append(missing, d.Photo)
			}
		}
	}
	if len(missing) > 0 {
		in.Status = ticket.StatusNeedsInfo
		in.Warnings = append(in.Warnings, "Belum lengkap: "+strings.Join(missing, ", ")+".")
	}
	return in, nil
}

// complainantOf validates what the form says about the sender. It returns
// the complainant, warnings about invalid values and the missing fields.
func complainantOf(m *Mail, form Form, now time.Time) (ticket.Complainant, []string, []string) {
	var c ticket.Complainant
	var warnings, missing []string
	c.Email = m.From.Address
	if m.ReplyTo.Address != "" {
		c.Email = m.ReplyTo.Address
	}
	if email, err := ticket.NormalizeEmail(c.Email); err == nil {
		c.Email = email
	} else {
		c.Email = ""
	}
	name := form.Name
	if name == "" {
		name = m.From.Name
	}
	if n, err := ticket.NormalizeName(name); err == nil {
		c.Name = n
	}
	if form.Name == "" {
		missing = append(missing, "Nama Lengkap")
	}
	var nik ticket.NIKInfo
	switch info, err := ticket.ParseNIK(form.NIK, now); {
	case strings.TrimSpace(form.NIK) == "":
		missing = append(missing, "NIK")
	case err != nil:
		warnings = append(warnings, "NIK tidak valid: "+ticket.ErrorMessage(err)+".")
		missing = append(missing, "NIK yang benar")
	default:
		nik, c.NIK, c.NIKWarnings = info, ticket.NormalizeNIK(form.NIK), info.Warnings
	}
	switch phone, err := ticket.NormalizePhone(form.Phone); {
	case strings.TrimSpace(form.Phone) == "":
		missing = append(missing, "Nomor HP")
	case err != nil:
		// Asked for again like a missing one: no one can be called back on it.
		warnings = append(warnings, "Nomor HP tidak valid: "+ticket.ErrorMessage(err)+".")
		missing = append(missing, "Nomor HP yang benar")
	default:
		c.Phone = phone
	}
	c.BirthPlace = strings.Join(strings.Fields(form.BirthPlace), " ")
	if len([]rune(c.BirthPlace)) > 100 {
		c.BirthPlace = string([]rune(c.BirthPlace)[:100])
	}
	switch {
	case form.BirthDate != nil:
		c.BirthDate = form.BirthDate
		if c.NIK != "" && !nik.MatchesBirthDate(*form.BirthDate) {
			warnings = append(warnings, "Tanggal lahir dalam NIK tidak cocok dengan tanggal lahir yang ditulis pelapor.")
		}
	case form.BirthDateText != "":
		// Not stored, so the acknowledgement asks for it: the ticket waits too.
		warnings = append(warnings, "Tanggal lahir tidak terbaca.")
		missing = append(missing, "Tanggal Lahir yang benar")
	default:
		missing = append(missing, "Tempat, Tanggal Lahir")
	}
	if strings.TrimSpace(form.Complaint) == "" {
		missing = append(missing, "Keluhan")
	}
	return c, warnings, missing
}

// storeAttachments stores each file within the limits and records the
// rest as refused. The first guess of each photo's kind feeds the
// documents summary; the worker's checks confirm it. Small images (a
// signature's logo) take no position, so they cannot pass for the KTP.
func (a *Adapter) storeAttachments(parts []Part) ([]ticket.Attachment, ticket.Documents, error) {
	docs := ticket.NoDocuments
	var out []ticket.Attachment
	var total int64
	position := 0
	for i, p := range parts {
		att := ticket.Attachment{Filename: p.Filename, ContentType: p.ContentType, Size: int64(len(p.Content))}
		if att.Filename == "" {
			att.Filename = fmt.Sprintf("lampiran-%d", i+1)
		}
		var placed bool
		if att.Kind, placed = partKind(p, position); placed {
			position++
		}
		if att.Size > a.limits.MaxAttachment || total+att.Size > a.limits.MaxMail {
			att.RefusedReason = ticket.RefusedTooLarge
			out = append(out, att)
			continue
		}
		sum, size, err := a.blobs.Put(bytes.NewReader(p.Content))
		if err != nil {
			return nil, docs, fmt.Errorf("store attachment %d: %w", i+1, err)
		}
		att.SHA256, att.Size, att.Stored = sum, size, true
		total += size
		docs = docs.With(att.Kind, ticket.DocReceived)
		out = append(out, att)
	}
	return out, docs, nil
}

func bracketed(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id = strings.Trim(strings.TrimSpace(id), "<>"); id != "" {
			out = append(out, "<"+id+">")
		}
	}
	return out
}
