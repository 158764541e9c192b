package email

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

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
// case-insensitively in their common variants, after an optional list
// marker. The first value given for a field wins. Keluhan runs over the
// following lines until the next label, a signature, or a reply or forward
// header. Quoted reply lines (">") are skipped. When the mail has labels but
// no Keluhan, the unlabelled lines before the signature become the complaint;
// when it has no labels at all, the whole text does, so nothing is lost.
func ExtractForm(text string) Form { return extractForm(text, time.Now()) }

// formField is one thing the form asks for.
type formField int

const (
	fieldNone       formField = iota
	fieldName                 // Nama Lengkap
	fieldNIK                  // NIK
	fieldBirth                // Tempat, Tanggal Lahir on one line
	fieldBirthPlace           // Tempat Lahir, or Tempat alone, on its own line
	fieldBirthDate            // Tanggal Lahir on its own line
	fieldPhone                // Nomor HP
	fieldComplaint            // Keluhan; the only field that spans lines
	fieldCount
)

// formLabels are tried in order on each line; a more specific label comes
// before the label it starts with (Tempat, Tanggal Lahir before Tempat Lahir
// and Tempat). Tempat alone is the birth place: people split the form's
// "Tempat, Tanggal Lahir" into "Tempat" and "Tanggal Lahir" lines. A dash
// may join the two halves, so "Tempat - Tanggal Lahir: ..." is not read as
// the birth place "Tanggal Lahir: ...".
var formLabels = []struct {
	field formField
	re    *regexp.Regexp
}{
	{fieldName, labelRE(`nama(?:\s+lengkap)?(?:\s+(?:sesuai|di|pada)\s+e?-?ktp)?`)},
	{fieldNIK, labelRE(`nomor\s+induk\s+kependudukan|(?:(?:nomor|nomer|no\.?)\s*)?nik(?:\s+e?-?ktp)?|(?:nomor|nomer|no\.?)\s*e?-?ktp`)},
	{fieldBirth, labelRE(`ttl|tempat\s*(?:[,/&\-–]|dan)?\s*(?:tanggal|tgl\.?)\s*lahir`)},
	{fieldBirthPlace, labelRE(`tempat(?:\s*lahir)?`)},
	{fieldBirthDate, labelRE(`(?:tanggal|tgl\.?)\s*lahir`)},
	{fieldPhone, labelRE(`(?:(?:nomor|nomer|no\.?)\s*)?(?:hp|handphone|ponsel|telp\.?|tlp\.?|telepon|telpon|wa|whatsapp)(?:\s*(?:/|atau)\s*(?:hp|wa|whatsapp))?`)},
	{fieldComplaint, labelRE(`(?:isi\s+)?(?:keluhan|masalah|kendala|pengaduan|aduan)(?:\s+saya)?`)},
}

// labelRE anchors a label: an optional remark in brackets such as
// "(sesuai KTP)", then a separator and the value (groups 1 and 2), or
// nothing at all when the value is on the next line.
func labelRE(label string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(?:` + label + `)(?:\s*\([^)]*\))?` +
		`(?:([ \t]*(?:\t|[:=\-–—])[ \t]*(?:[:=][ \t]*)?)(.*)|[ \t]*)$`)
}

var (
	listMarkerRE = regexp.MustCompile(`^(?:\d{1,2}[.)]?|[-*•·▪])[ \t]*`)
	// forwardRE starts the header block of a forwarded or replied-to mail.
	forwardRE = regexp.MustCompile(`(?i)^[-_ ]*(?:forwarded message|original message|pesan terusan|pesan asli|begin forwarded message)`)
	// replyHeaderRE is the line a mail client writes above a quoted reply.
	replyHeaderRE   = regexp.MustCompile(`(?i)^(?:on|pada)\s.*(?:wrote|menulis):$`)
	signatureStarts = []string{"terima kasih", "terimakasih", "hormat saya", "hormat kami", "salam hormat", "wassalam", "sent from my", "dikirim dari"}
)

// matchLabel reports which field a line labels and the value it gives.
func matchLabel(line string) (formField, string, bool) {
	line = listMarkerRE.ReplaceAllString(line, "")
	for _, l := range formLabels {
		m := l.re.FindStringSubmatchIndex(line)
		if m == nil {
			continue
		}
		if m[2] < 0 { // the label alone
			return l.field, "", true
		}
		sep, value := line[m[2]:m[3]], strings.TrimSpace(line[m[4]:m[5]])
		if (sep == "-" || sep == "–") && hyphenated(line[:m[2]], value) {
			continue
		}
		return l.field, value, true
	}
	return fieldNone, "", false
}

// hyphenated reports whether a label word joined by a bare dash to what
// follows is prose: a clitic ("NIK-nya sudah dipakai", "HP-ku hilang") or a
// plural by reduplication ("Kendala-kendala yang saya alami").
func hyphenated(label, value string) bool {
	word, _, _ := strings.Cut(strings.ToLower(value), " ")
	word = strings.TrimRightFunc(word, func(r rune) bool { return !unicode.IsLetter(r) })
	switch {
	case word == "":
		return false
	case word == "nya", word == "ku", word == "mu":
		return true
	}
	return strings.HasSuffix(strings.ToLower(label), word)
}

func isSignature(line string) bool {
	if line == "--" {
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
	signed    bool      // a signature seen: free lines after it are not the complaint
	headers   bool      // inside a forwarded mail's header block
}

func extractForm(text string, now time.Time) Form {
	var s formScanner
	for _, line := range strings.Split(text, "\n") {
		s.line(strings.TrimSpace(strings.ReplaceAll(line, "\u00a0", " ")))
	}
	if !s.labelled {
		return Form{Complaint: strings.TrimSpace(text)}
	}
	return s.form(now)
}

func (s *formScanner) line(line string) {
	switch {
	case strings.HasPrefix(line, ">"):
		return
	case line == "":
		s.headers = false
		if s.open == fieldComplaint {
			s.complaint = append(s.complaint, "")
		} else if s.open == fieldNone && !s.signed {
			s.free = append(s.free, "")
		}
		return
	case forwardRE.MatchString(line):
		s.open, s.headers, s.signed = fieldNone, true, false
		return
	case s.headers:
		return
	case replyHeaderRE.MatchString(line):
		s.open = fieldNone
		return
	case isSignature(line):
		s.open, s.signed = fieldNone, true
		return
	}
	if f, value, ok := matchLabel(line); ok {
		s.labelled = true
		s.set(f, value)
		return
	}
	switch s.open {
	case fieldComplaint:
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
	switch {
	case f == fieldComplaint:
		if value != "" {
			s.complaint = append(s.complaint, value)
		}
		s.open = fieldComplaint
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

// paragraphs joins lines, dropping blank lines at either end and keeping at
// most one between paragraphs.
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

// splitBirth splits "Jakarta, 17 Agustus 1985" or "Bandung 17-08-1985" into
// place and date. A date it cannot recognise is taken to follow the last
// comma or slash, so it is kept as written.
func splitBirth(v string) (place, date string) {
	const cut = " \t,/;-"
	loc := dateInTextRE.FindStringIndex(v)
	if loc == nil {
		if i := strings.LastIndexAny(v, ",/"); i >= 0 {
			return strings.Trim(v[:i], cut), strings.TrimSpace(v[i+1:])
		}
		return strings.Trim(v, cut), ""
	}
	place = strings.Trim(v[:loc[0]], cut)
	if place == "" { // "17-08-1985, Jakarta"
		place = strings.Trim(v[loc[1]:], cut)
	}
	return place, v[loc[0]:loc[1]]
}

// findDate parses s as a date, or else the first date written inside it,
// e.g. "17-08-1985 (sesuai KTP)".
func findDate(s string, now time.Time) (time.Time, bool) {
	if d, err := ParseDate(s, now); err == nil {
		return d, true
	}
	if m := dateInTextRE.FindString(s); m != "" {
		if d, err := ParseDate(m, now); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}

// monthNames maps the month names and abbreviations people write, Indonesian
// and English, to months.
var monthNames = map[string]time.Month{
	"januari": 1, "jan": 1, "january": 1,
	"februari": 2, "feb": 2, "pebruari": 2, "peb": 2, "february": 2,
	"maret": 3, "mar": 3, "march": 3,
	"april": 4, "apr": 4,
	"mei": 5, "may": 5,
	"juni": 6, "jun": 6, "june": 6,
	"juli": 7, "jul": 7, "july": 7,
	"agustus": 8, "agt": 8, "agu": 8, "ags": 8, "agust": 8, "aug": 8, "august": 8,
	"september": 9, "sep": 9, "sept": 9, "sepr": 9,
	"oktober": 10, "okt": 10, "oct": 10, "october": 10,
	"november": 11, "nov": 11, "nop": 11, "nopember": 11,
	"desember": 12, "des": 12, "dec": 12, "december": 12,
}

// monthPattern is an alternation of the keys of monthNames, longest first so
// "maret" is not read as "mar" followed by junk.
var monthPattern = func() string {
	names := make([]string, 0, len(monthNames))
	for n := range monthNames {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return strings.Join(names, "|")
}()

const (
	ymdPattern   = `(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})`
	dmyPattern   = `(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})`
	namedPattern = `(\d{1,2})[\s./-]*(%s)\.?[\s./-]*(\d{4}|\d{2})`
)

var (
	ymdRE        = regexp.MustCompile(`^` + ymdPattern + `$`)
	dmyRE        = regexp.MustCompile(`^` + dmyPattern + `$`)
	namedRE      = regexp.MustCompile(`(?i)^` + strings.Replace(namedPattern, "%s", monthPattern, 1) + `$`)
	dateInTextRE = regexp.MustCompile(`(?i)\b(?:` + ymdPattern + `|` + dmyPattern + `|` +
		strings.Replace(namedPattern, "%s", monthPattern, 1) + `)\b`)
)

// ParseDate reads the dates people write: "17 Agustus 1985", "17 Agt 1985",
// "17-08-1985", "17/08/1985", "17/08/85", "17.08.1985", "1985-08-17";
// two-digit years resolved as the latest of 19YY/20YY not after now.
// Numeric dates are day first, as Indonesians write them. The date returned
// is midnight UTC; whether it is a plausible birth date is for the caller.
func ParseDate(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "."))
	var day, month, year, yearDigits int
	if g := ymdRE.FindStringSubmatch(s); g != nil {
		year, month, day, yearDigits = number(g[1]), number(g[2]), number(g[3]), 4
	} else if g := dmyRE.FindStringSubmatch(s); g != nil {
		day, month, year, yearDigits = number(g[1]), number(g[2]), number(g[3]), len(g[3])
	} else if g := namedRE.FindStringSubmatch(s); g != nil {
		day, month, year, yearDigits = number(g[1]), int(monthNames[strings.ToLower(g[2])]), number(g[3]), len(g[3])
	} else {
		return time.Time{}, ticket.Errorf(ticket.EINVALID, "tanggal tidak dikenali; tulis mis. 17 Agustus 1985 atau 17-08-1985")
	}
	if yearDigits == 4 {
		if d, ok := calendarDate(year, month, day); ok {
			return d, nil
		}
		return time.Time{}, ticket.Errorf(ticket.EINVALID, "tanggal tidak ada di kalender")
	}
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	exists := false
	for _, century := range []int{2000, 1900} {
		if d, ok := calendarDate(century+year, month, day); ok {
			exists = true
			if !d.After(today) {
				return d, nil
			}
		}
	}
	if exists {
		return time.Time{}, ticket.Errorf(ticket.EINVALID, "tanggal ada di masa depan")
	}
	return time.Time{}, ticket.Errorf(ticket.EINVALID, "tanggal tidak ada di kalender")
}

// calendarDate is the date at midnight UTC, or false when it is not on the
// calendar (time.Date would roll 31 February into March).
func calendarDate(year, month, day int) (time.Time, bool) {
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return d, d.Day() == day
}

func number(s string) int {
	n, _ := strconv.Atoi(s) // the patterns matched digits only
	return n
}
