package email

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// Form is what a complaint email says about its sender, as written (not validated).
type Form struct {
	Name, NIK, BirthPlace, BirthDateText, Phone, Complaint string
	BirthDate                                              *time.Time // parsed from BirthDateText when possible
}

// ExtractForm finds the five fields in the plain text of a mail (HTML has
// already been turned into text: table rows become cells separated by a tab,
// one row per line).
//
// A field is a line "label separator value"; labels are matched
// case-insensitively in their common variants, abbreviations and typos,
// after a list marker or bold asterisks; the separator may start the value's
// cell or line ("Nama" then ": Rina"), and a whole form typed on one line is
// split at its labels. Values lose their decoration: a NIK or phone number
// is the run of digits in its line, whatever note or "WA" surrounds it. The
// first value given for a field wins. Keluhan runs over the following lines
// until the next label, a signature, or a reply or forward header.
//
// Quoted lines (">") are read only when the mail's own text has no form:
// a relative forwarding the complainant's form, quoted, makes the person in
// the form the complainant. History holding one of our ticket numbers is
// our own mail quoted back, and is not read at all. When the mail has labels
// but no Keluhan, the unlabelled lines before the signature become the
// complaint; when it has no labels at all, the whole text does, so nothing
// is lost.
func ExtractForm(text string) Form { return extractForm(text, time.Now()) }

var (
	// forwardRE starts the header block of a forwarded or replied-to mail.
	forwardRE = regexp.MustCompile(`(?i)^[-_ ]*(?:forwarded message|original message|pesan terusan|pesan asli|begin forwarded message|awal pesan (?:yang )?(?:terusan|diteruskan)|pesan yang diteruskan)`)
	// historyRuleRE is Outlook's line above the quoted mail's headers.
	historyRuleRE = regexp.MustCompile(`^_{10,}$`)
	// fromLineRE starts a quoted mail's header block when no marker did: a
	// From line with an address, not "Dari: Budi" written as a label.
	fromLineRE = regexp.MustCompile(`(?i)^(?:from|dari)\s*:.*[@<]`)
	// replyHeaderRE is the line a mail client writes above a quoted reply;
	// replyStartRE its first half when the client wrapped it.
	replyHeaderRE = regexp.MustCompile(`(?i)^(?:on|pada|le|am)\s.*(?:wrote|menulis|a écrit|schrieb)\s*:$`)
	replyStartRE  = regexp.MustCompile(`(?i)^(?:on|pada)\s`)
	// signatureStarts open a signature, lowercased: a closing, or the line
	// a mail app adds (appSignatures).
	signatureStarts = append([]string{"terima kasih", "terimakasih", "trima kasih", "makasih", "hormat saya", "hormat kami",
		"salam hormat", "wassalam", "best regards", "regards,", "diketik dari"}, appSignatures...)
)

// isSignature reports whether line, trimmed, opens a signature: the "-- "
// separator or a line of signatureStarts.
func isSignature(line string) bool {
	if line == "--" || line == "—" {
		return true
	}
	lower := strings.ToLower(line)
	return slices.ContainsFunc(signatureStarts, func(s string) bool { return strings.HasPrefix(lower, s) })
}

// formScanner reads a mail line by line.
type formScanner struct {
	values    [fieldCount]string
	complaint []string  // lines under Keluhan
	free      []string  // unlabelled lines, the complaint when Keluhan is missing
	open      formField // the field the next line continues or fills
	labelled  bool      // any label seen
	keluhan   bool      // a Keluhan label seen
	fresh     bool      // Keluhan stood alone: its next line may start with the separator
	signed    bool      // a signature seen: free lines after it are not the complaint
	headers   bool      // inside a forwarded mail's header block
}

func extractForm(text string, now time.Time) Form {
	lines := strings.Split(text, "\n")
	ownText := text // the text before our own mail quoted back, if any
	lastOwn := -1
	for i, l := range lines {
		lines[i] = strings.TrimSpace(strings.ReplaceAll(l, "\u00a0", " "))
		if ticket.FindNumber(l) != "" { // history holding it is our own mail quoted back
			lastOwn = i
		}
	}
	var own, quoted formScanner
	for i := 0; i < len(lines); i++ {
		line, start := lines[i], i
		if i+1 < len(lines) && strings.HasSuffix(lines[i+1], ":") && replyStartRE.MatchString(line) &&
			!replyHeader(line) && replyHeader(line+" "+lines[i+1]) {
			i++ // a reply header wrapped over two lines
			line += " " + lines[i]
		}
		if history(line) && i < lastOwn {
			// Our own mail below: nothing more of theirs.
			ownText = strings.Join(strings.SplitN(text, "\n", start+1)[:start], "\n")
			break
		}
		if q, ok := unquote(line); ok {
			quoted.line(q)
			continue
		}
		own.line(line)
	}
	switch {
	case own.identified() || !quoted.labelled:
		if !own.labelled {
			return Form{Complaint: strings.TrimSpace(beforeAppSignature(ownText))}
		}
		return own.form(now)
	case !own.labelled:
		return quoted.form(now)
	}
	// A note with a label or two above the quoted form: the note's values
	// first, the form's for the rest.
	f, q := own.form(now), quoted.form(now)
	f.Name, f.NIK, f.Phone = cmp.Or(f.Name, q.Name), cmp.Or(f.NIK, q.NIK), cmp.Or(f.Phone, q.Phone)
	if f.BirthPlace == "" && f.BirthDateText == "" {
		f.BirthPlace, f.BirthDateText, f.BirthDate = q.BirthPlace, q.BirthDateText, q.BirthDate
	}
	if !own.keluhan && quoted.keluhan {
		f.Complaint = q.Complaint
	}
	return f
}

// appSignatures are the lines mail apps add below what people write,
// lowercased: "Dikirim dari iPhone saya", "Sent from Yahoo Mail on
// Android", "Dapatkan Outlook untuk Android".
var appSignatures = []string{"sent from ", "dikirim dari ", "get outlook for", "dapatkan outlook untuk", "sent via ", "dikirim melalui "}

// beforeAppSignature is text up to a mail app's signature line or a "-- "
// separator: a mail with no form is kept as written, but not its signature.
func beforeAppSignature(text string) string {
	off := 0
	for line := range strings.SplitAfterSeq(text, "\n") {
		l := strings.TrimSpace(line)
		lower := strings.ToLower(l)
		if l == "--" || slices.ContainsFunc(appSignatures, func(s string) bool { return strings.HasPrefix(lower, s) }) {
			return text[:off]
		}
		off += len(line)
	}
	return text
}

// history reports whether line starts quoted or forwarded mail.
func history(line string) bool {
	return forwardLine(line) || replyHeader(line)
}

// forwardLine reports whether line starts a forwarded mail's headers. The
// first letter rules out most lines before any pattern runs.
func forwardLine(line string) bool {
	if line == "" || !strings.ContainsRune("-_ fopbaFOPBA", rune(line[0])) {
		return false
	}
	return forwardRE.MatchString(line) || historyRuleRE.MatchString(line)
}

// replyHeader reports whether line is the "On ... wrote:" above a reply.
func replyHeader(line string) bool {
	return strings.HasSuffix(line, ":") && replyHeaderRE.MatchString(line)
}

// unquote strips every level of ">" quoting from a quoted line.
func unquote(line string) (string, bool) {
	if !strings.HasPrefix(line, ">") {
		return "", false
	}
	for strings.HasPrefix(line, ">") {
		line = strings.TrimSpace(line[1:])
	}
	return line, true
}

// identified reports whether the scanner found anything saying who the
// complainant is.
func (s *formScanner) identified() bool {
	for f := fieldName; f < fieldComplaint; f++ {
		if s.values[f] != "" {
			return true
		}
	}
	return false
}

func (s *formScanner) line(line string) {
	switch {
	case line == "":
		s.headers = false
		if s.open == fieldComplaint {
			s.complaint = append(s.complaint, "")
		} else if s.open == fieldNone && !s.signed {
			s.free = append(s.free, "")
		}
		return
	case forwardLine(line):
		s.open, s.headers, s.signed = fieldNone, true, false
		return
	case s.headers:
		return
	case replyHeader(line):
		s.open = fieldNone
		return
	case s.open != fieldComplaint && fromLineRE.MatchString(line):
		s.open, s.headers, s.signed = fieldNone, true, false
		return
	case isSignature(line):
		s.open, s.signed = fieldNone, true
		return
	}
	if parts := splitInline(line); parts != nil {
		for _, p := range parts {
			s.line(p)
		}
		return
	}
	if f, value, ok := matchLabel(line); ok {
		s.labelled = true
		s.set(f, value)
		return
	}
	switch s.open {
	case fieldComplaint:
		if s.fresh { // "Keluhan" then ": sertifikat belum muncul"
			line, s.fresh = cleanValue(fieldComplaint, line), false
		}
		s.complaint = append(s.complaint, line)
	case fieldNone:
		if !s.signed {
			s.free = append(s.free, line)
		}
	default: // "Nama:" alone, the name on the next line
		s.set(s.open, line)
	}
}

func (s *formScanner) set(f formField, value string) {
	s.open = fieldNone
	value = cleanValue(f, value)
	switch {
	case f == fieldComplaint:
		if value != "" {
			s.complaint = append(s.complaint, value)
		}
		s.open, s.keluhan, s.fresh = fieldComplaint, true, value == ""
	case s.values[f] != "":
		// first value wins: a later one is likely a forwarded copy
	case value == "":
		s.open = f
	default:
		s.values[f] = value
	}
}

func (s *formScanner) form(now time.Time) Form {
	f := Form{
		Name:          s.values[fieldName],
		NIK:           s.values[fieldNIK],
		Phone:         s.values[fieldPhone],
		BirthPlace:    s.values[fieldBirthPlace],
		BirthDateText: s.values[fieldBirthDate],
		Complaint:     joinParagraphs(s.complaint),
	}
	if f.Complaint == "" {
		f.Complaint = joinParagraphs(s.free)
	}
	if ttl := s.values[fieldBirth]; ttl != "" {
		place, date := splitBirth(ttl)
		f.BirthPlace = cmp.Or(f.BirthPlace, place)
		f.BirthDateText = cmp.Or(f.BirthDateText, date)
	}
	if f.BirthDateText != "" {
		if d, ok := findDate(f.BirthDateText, now); ok {
			f.BirthDate = &d
		}
	}
	return f
}

// joinParagraphs joins lines, dropping blank lines at either end and keeping
// at most one between paragraphs.
func joinParagraphs(lines []string) string {
	var out []string
	for _, l := range lines {
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
