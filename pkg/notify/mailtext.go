package notify

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"text/template"

	"github.com/aduan/aduan/pkg/ticket"
)

// mailTemplate is one templates/*.txt: a "subject" and a "body".
type mailTemplate struct{ t *template.Template }

func parseMailTemplate(fsys fs.FS, name string) (mailTemplate, error) {
	t, err := template.New(name).Funcs(template.FuncMap{"join": strings.Join}).ParseFS(fsys, "templates/"+name)
	if err != nil {
		return mailTemplate{}, fmt.Errorf("mail template: %w", err)
	}
	for _, part := range []string{"subject", "body"} {
		if t.Lookup(part) == nil {
			return mailTemplate{}, fmt.Errorf("mail template %s: no %q defined", name, part)
		}
	}
	return mailTemplate{t.Option("missingkey=error")}, nil
}

func (mt mailTemplate) render(data any) (subject, body string, err error) {
	var s, b strings.Builder
	if err := mt.t.ExecuteTemplate(&s, "subject", data); err != nil {
		return "", "", fmt.Errorf("mail template %s: %w", mt.t.Name(), err)
	}
	if err := mt.t.ExecuteTemplate(&b, "body", data); err != nil {
		return "", "", fmt.Errorf("mail template %s: %w", mt.t.Name(), err)
	}
	return strings.Join(strings.Fields(s.String()), " "), strings.TrimSpace(b.String()) + "\n", nil
}

// replyView is what reply.txt shows.
type replyView struct{ Number, Name, Text string }

// ackView is what ack.txt shows. It carries the NIK masked only. Limit is
// the per-file limit and MailLimit that of all of one mail's files: a file
// is refused for passing either, and the mail names both.
type ackView struct {
	Number, Name, NIK, Birth, Phone, Summary, Limit, MailLimit string
	Received, TooLarge, MissingFields, MissingPhotos           []string
	NeedsDocuments, CertificateMissing                         bool
}

func (n *Notifier) ackView(t ticket.Ticket, atts []ticket.Attachment) ackView {
	c := t.Complainant
	if c == nil {
		c = &ticket.Complainant{} // known only by the address the mail came from
	}
	v := ackView{Number: t.Number, Name: c.Name, NIK: c.MaskedNIK(), Phone: c.Phone, Summary: summary(t.Description),
		Limit: n.cfg.AttachmentLimit, MailLimit: n.cfg.MailLimit, NeedsDocuments: t.Category.NeedsDocuments(),
		CertificateMissing: t.Category == ticket.CategoryCertificateMissing}
	birthDate := ""
	if c.BirthDate != nil {
		d := *c.BirthDate
		birthDate = fmt.Sprintf("%d %s %d", d.Day(), monthsID[d.Month()-1], d.Year())
	}
	v.Birth = strings.Trim(c.BirthPlace+", "+birthDate, ", ")
	add := func(missing bool, label string) {
		if missing {
			v.MissingFields = append(v.MissingFields, label)
		}
	}
	add(c.Name == "", "Nama Lengkap")
	add(c.NIK == "", "NIK")
	add(c.BirthPlace == "" && birthDate == "", "Tempat, Tanggal Lahir")
	add(c.BirthPlace == "" && birthDate != "", "Tempat Lahir")
	add(c.BirthPlace != "" && birthDate == "", "Tanggal Lahir")
	add(c.Phone == "", "Nomor HP")
	add(v.Summary == "", "Keluhan")
	for _, d := range []struct {
		state           ticket.DocumentState
		received, asked string
	}{{t.Documents.KTP, "KTP", "foto KTP"}, {t.Documents.Selfie, "swafoto dengan KTP", "swafoto memegang KTP"},
		{t.Documents.VaccineCard, "kartu vaksinasi", "foto kartu vaksinasi"}} {
		switch {
		case d.state != "" && d.state != ticket.DocMissing:
			v.Received = append(v.Received, d.received)
		case v.NeedsDocuments:
			v.MissingPhotos = append(v.MissingPhotos, d.asked)
		}
	}
	for _, a := range atts {
		if a.TooLarge() {
			v.TooLarge = append(v.TooLarge, maskNIKs(a.Filename)) // people name photos after their NIK
		}
	}
	return v
}

// docsView is what docs_request.txt shows. It carries no NIK.
type docsView struct {
	Number, Name, Limit, MailLimit string
	Missing, TooLarge              []string
	Problems                       []docsProblemView
}

type docsProblemView struct {
	What, State string
	Reasons     []string
}

// docNames are the documents as the help desk asks for them.
var docNames = map[ticket.AttachmentKind]string{ticket.KindKTP: "Foto KTP",
	ticket.KindSelfie: "Swafoto memegang KTP", ticket.KindVaccineCard: "Foto kartu vaksinasi"}

func (n *Notifier) docsView(t ticket.Ticket, r ticket.DocsRequest) docsView {
	v := docsView{Number: t.Number, Limit: n.cfg.AttachmentLimit, MailLimit: n.cfg.MailLimit}
	if t.Complainant != nil {
		v.Name = t.Complainant.Name
	}
	for _, k := range r.Missing {
		v.Missing = append(v.Missing, docNames[k])
	}
	for _, p := range r.Problems {
		pv := docsProblemView{What: docNames[p.Kind], State: "tidak dapat kami baca"}
		if p.State == ticket.DocMismatch {
			pv.State = "tidak sesuai"
		}
		for _, reason := range p.Reasons {
			pv.Reasons = append(pv.Reasons, maskNIKs(reason))
		}
		v.Problems = append(v.Problems, pv)
	}
	for _, f := range r.TooLarge {
		v.TooLarge = append(v.TooLarge, maskNIKs(f.Filename))
	}
	return v
}

var monthsID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
	"Oktober", "November", "Desember"}

var (
	// complaintLabel starts the Keluhan of a form; formLabel is any other
	// field of it, which the summary leaves out because the mail lists them.
	complaintLabel = regexp.MustCompile(`(?i)^[\s*•\-\d.)]*(?:isi\s+)?(?:keluhan|masalah|kendala|pengaduan|aduan)(?:\s+saya)?\s*[:=]`)
	formLabel      = regexp.MustCompile(`(?i)^[\s*•\-\d.)]*(?:nama|nik|nomor|nomer|no|tempat|tanggal|tgl|ttl|hp|telp|telepon|wa|whatsapp|e-?mail|alamat)\b[^:=]{0,40}[:=]`)
)

// summary is the first ~200 characters of the complaint in text, NIKs
// masked: the Keluhan when the form has one, else the text without the
// other fields of the form and without quoted lines.
func summary(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if loc := complaintLabel.FindStringIndex(l); loc != nil {
			lines = append([]string{l[loc[1]:]}, lines[i+1:]...)
			break
		}
	}
	var words []string
	for _, l := range lines {
		if !formLabel.MatchString(l) && !strings.HasPrefix(strings.TrimSpace(l), ">") {
			words = append(words, strings.Fields(l)...)
		}
	}
	s := maskNIKs(strings.Join(words, " "))
	if r := []rune(s); len(r) > 200 {
		cut := string(r[:200])
		if i := strings.LastIndexByte(cut, ' '); i > 150 {
			cut = cut[:i]
		}
		s = cut + "…"
	}
	return s
}
