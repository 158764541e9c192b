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

// ackView is what ack.txt shows: the one answer to a complainant's mail,
// the acknowledgement when it opened the complaint (Opening). It carries
// the NIK masked only. Limit is the per-file limit and MailLimit that of
// all of one mail's files: a file is refused for passing either, and the
// mail names both.
type ackView struct {
	Opening                                                    bool
	Number, Name, NIK, Birth, Phone, Summary, Limit, MailLimit string
	// Photos are the three documents received so far, each with what its
	// check found, then any other file of the mail that could not be read.
	Photos []photoView
	// Checking: some photos are still being checked; the answer went
	// without waiting longer.
	Checking                                             bool
	TooLarge, MissingFields, MissingPhotos, ResendPhotos []string
	NeedsDocuments, CertificateMissing                   bool
}

// photoView is one line of what the checks found: What is a document's
// name or a file's, State one of ok, checking, unreadable, mismatch.
type photoView struct {
	What, State string
	Reasons     []string
}

// ackView answers message in of ticket t, whose attachments are atts.
func (n *Notifier) ackView(t ticket.Ticket, in ticket.Message, opening bool, atts []ticket.Attachment) ackView {
	c := t.Complainant
	if c == nil {
		c = &ticket.Complainant{} // known only by the address the mail came from
	}
	v := ackView{Opening: opening, Number: t.Number, Name: c.Name, NIK: c.MaskedNIK(), Phone: c.Phone,
		Summary: summary(t.Description), Limit: n.cfg.AttachmentLimit, MailLimit: n.cfg.MailLimit,
		NeedsDocuments: t.Category.NeedsDocuments(), CertificateMissing: t.Category == ticket.CategoryCertificateMissing}
	v.Birth, v.MissingFields = birthAndMissing(c, v.Summary)
	docs, pending := ticket.DocumentsOf(atts)
	v.Checking = pending > 0
	reasons := map[ticket.AttachmentKind][]string{}
	if req := ticket.RequestFor(docs, atts); req != nil {
		for _, p := range req.Problems {
			reasons[p.Kind] = p.Reasons
		}
	}
	for _, d := range ticket.RequiredDocuments {
		k, what := d.Kind, d.Heading()
		switch s := docs.State(k); s {
		case ticket.DocMissing:
			if v.NeedsDocuments {
				v.MissingPhotos = append(v.MissingPhotos, what)
			}
		case ticket.DocReceived:
			v.Photos = append(v.Photos, photoView{What: what, State: "checking"})
		case ticket.DocOK:
			v.Photos = append(v.Photos, photoView{What: what, State: "ok"})
		default:
			v.Photos = append(v.Photos, photoView{What: what, State: string(s), Reasons: maskAll(reasons[k])})
			if v.NeedsDocuments {
				v.ResendPhotos = append(v.ResendPhotos, what)
			}
		}
	}
	for _, a := range atts {
		if a.MessageID != in.ID {
			continue
		}
		switch {
		case a.TooLarge():
			v.TooLarge = append(v.TooLarge, maskNIKs(a.Filename)) // people name photos after their NIK
		case a.Stored && !ticket.IsRequiredDocument(a.Kind) && a.Check.Verdict == ticket.VerdictUnreadable:
			// Named by its file, so the sender knows which one: a HEIC
			// photo called IMG_0042 says nothing of what it shows.
			v.Photos = append(v.Photos, photoView{What: "Berkas " + maskNIKs(a.Filename), State: "unreadable",
				Reasons: maskAll(a.Check.Reasons)})
		}
	}
	return v
}

// birthAndMissing returns the complainant's birth place and date as the
// mail shows them, and the fields of the form still missing.
func birthAndMissing(c *ticket.Complainant, summary string) (birth string, missing []string) {
	birthDate := ""
	if c.BirthDate != nil {
		d := *c.BirthDate
		birthDate = fmt.Sprintf("%d %s %d", d.Day(), monthsID[d.Month()-1], d.Year())
	}
	add := func(isMissing bool, label string) {
		if isMissing {
			missing = append(missing, label)
		}
	}
	add(c.Name == "", "Nama Lengkap")
	add(c.NIK == "", "NIK")
	add(c.BirthPlace == "" && birthDate == "", "Tempat, Tanggal Lahir")
	add(c.BirthPlace == "" && birthDate != "", "Tempat Lahir")
	add(c.BirthPlace != "" && birthDate == "", "Tanggal Lahir")
	add(c.Phone == "", "Nomor HP")
	add(summary == "", "Keluhan")
	return strings.Trim(c.BirthPlace+", "+birthDate, ", "), missing
}

func maskAll(texts []string) []string {
	out := make([]string, len(texts))
	for i, s := range texts {
		out[i] = maskNIKs(s)
	}
	return out
}

// docsView is what docs_request.txt shows. It carries no NIK.
type docsView struct {
	Number, Name, Limit, MailLimit string
	Missing                        []string
	Problems                       []docsProblemView
}

type docsProblemView struct {
	What, State string
	Reasons     []string
}

// docName is a document as the help desk asks for it, heading a line.
func docName(k ticket.AttachmentKind) string {
	d, _ := ticket.RequiredDocumentOf(k)
	return d.Heading()
}

func (n *Notifier) docsView(t ticket.Ticket, r ticket.DocsRequest) docsView {
	v := docsView{Number: t.Number, Limit: n.cfg.AttachmentLimit, MailLimit: n.cfg.MailLimit}
	if t.Complainant != nil {
		v.Name = t.Complainant.Name
	}
	for _, k := range r.Missing {
		v.Missing = append(v.Missing, docName(k))
	}
	for _, p := range r.Problems {
		pv := docsProblemView{What: docName(p.Kind), State: "tidak dapat kami baca"}
		if p.State == ticket.DocMismatch {
			pv.State = "tidak sesuai"
		}
		pv.Reasons = maskAll(p.Reasons)
		v.Problems = append(v.Problems, pv)
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
