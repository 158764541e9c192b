package email

import (
	"regexp"
	"strings"
	"unicode"
)

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

// Label patterns, as people type them: abbreviated (No.Hp, Tmpt/Tgl
// Lahir, Tgl Lhr), misspelt (Nama Lengkp, Tangal Lahir, Kluhan) and in any
// case. Word parts shared by several labels are named once.
const (
	numberWord = `(?:nomor|nomer|nmr|no)\.?\s*`
	placeWord  = `(?:tempat|tmpt|tmp|tpt|tempt)\.?`
	dateWord   = `(?:tanggal|tangal|tanggl|tgl|tggl)\.?`
	bornWord   = `(?:lahir|lhr)`
	ktpWord    = `e?-?ktp`
	// whoseWord says whose field it is, when someone writes for another:
	// "Nama Anak", "NIK Pasien", "No HP orang tua".
	whoseWord = `(?:\s+(?:anak|pasien|peserta|pelapor|ibu|bapak|ayah|orang\s+tua|ortu|suami|istri|keluarga))?`
)

// formLabels are tried in order on each line; a more specific label comes
// before the label it starts with (Tempat, Tanggal Lahir before Tempat Lahir
// and Tempat). Tempat alone is the birth place: people split the form's
// "Tempat, Tanggal Lahir" into "Tempat" and "Tanggal Lahir" lines. A dash
// may join the two halves, so "Tempat - Tanggal Lahir: ..." is not read as
// the birth place "Tanggal Lahir: ...".
var formLabels = []struct {
	field formField
	label string
}{
	{fieldName, `(?:nama|nami)(?:\s+(?:lengkap|lengkp|lengakp|lenkap|lngkp|lgkp|lkp|pelapor|pasien|peserta))?` +
		whoseWord + `(?:\s+(?:sesuai|sesuia|di|pada|dlm|dalam|menurut)\s+` + ktpWord + `)?`},
	{fieldNIK, `(?:nomor\s+induk\s+kependudukan|(?:` + numberWord + `)?n\.?i\.?k\.?(?:\s*` + ktpWord + `)?|` + numberWord + ktpWord + `)` + whoseWord},
	{fieldBirth, `t\.?t\.?l\.?|` + placeWord + `\s*(?:[,/&\-–]|dan)?\s*` + dateWord + `\s*` + bornWord},
	{fieldBirthPlace, placeWord + `(?:\s*` + bornWord + `)?|kota\s+` + bornWord},
	{fieldBirthDate, dateWord + `\s*` + bornWord},
	{fieldPhone, `(?:` + numberWord + `)?(?:hp|handphone|hand\s?phone|ponsel|telp|tlp|tlpn|telepon|telpon|wa|whatsapp|whats\s?app)\.?` +
		`(?:\s*(?:/|atau|&)\s*(?:hp|wa|whatsapp|telp))?` +
		whoseWord + `(?:\s+(?:lama|baru|aktif|terdaftar|(?:yang|yg)\s+(?:aktif|terdaftar|bisa\s+dihubungi)))?`},
	{fieldComplaint, `(?:isi\s+)?(?:keluhan|kluhan|keluhannya|masalah|permasalahan|kendala|pengaduan|aduan|kronologi|kronologis)(?:\s+saya)?`},
}

// labelInitials are the letters labels start with, lowercase: a label
// added to formLabels with another initial must add it here
// (TestLabelInitials tries one of each kind).
const labelInitials = "ntkhpwmai"

// labelREs anchor each label at the start of a line: an optional remark in
// brackets such as "(sesuai KTP)", dot leaders, then a separator and the
// value (groups 1 and 2), or nothing at all when the value is on the next
// line. digitREs take a label with no separator when a number follows
// ("NIK 3201...", "WA 0812..."), for the fields whose values are numbers.
var labelREs, digitREs = func() (labels, digits []*regexp.Regexp) {
	for _, l := range formLabels {
		labels = append(labels, regexp.MustCompile(`(?i)^(?:`+l.label+`)(?:\s*\([^)]*\))?[ \t.…_]*`+
			`(?:([ \t]*(?:\t|[:=：\-–—])[ \t]*(?:[:=][ \t]*)?)(.*)|[ \t]*)$`))
		var d *regexp.Regexp
		switch l.field {
		case fieldNIK, fieldPhone, fieldBirthDate:
			d = regexp.MustCompile(`(?i)^(?:` + l.label + `)([ \t]+)([+(]?\d.*)$`)
		}
		digits = append(digits, d)
	}
	return labels, digits
}()

// inlineLabelRE finds labels with a colon inside a line, to split a whole
// form typed on one line ("Nama: Rina NIK: 3201... No HP: 0812...").
var inlineLabelRE = func() *regexp.Regexp {
	alts := make([]string, len(formLabels))
	for i, l := range formLabels {
		alts[i] = l.label
	}
	return regexp.MustCompile(`(?i)(?:^|[\s,;|])((?:\d{1,2}[.)]\s*)?(?:` + strings.Join(alts, "|") +
		`)(?:\s*\([^)]*\))?\s*[:=])`)
}()

var (
	// listMarkerRE is a list marker or bullet before a label: "1.", "2)",
	// "(3)", "a.", "-", "*", "•", "➤".
	listMarkerRE = regexp.MustCompile(`^(?:\(?\d{1,2}[.)]?|\(?[a-eA-E][.)]\s|[-*•·▪►➤✓✔>+]+)[ \t]*`)
	// trailingMarkerRE is the next item's number left at the end of a
	// value when a numbered form is typed on one line.
	trailingMarkerRE = regexp.MustCompile(`[\s,;|]+\d{1,2}[.)]?$`)
	// remarkRE is a remark in brackets after a value: "(sesuai KTP)".
	remarkRE = regexp.MustCompile(`\s*[(\[][^)\]]*[)\]]`)
	// numberRunRE is a run of digits, possibly grouped by spaces, dots or
	// dashes and bracketed, as NIKs and phone numbers are written.
	numberRunRE = regexp.MustCompile(`\+?\(?\d(?:[ .\-()]{0,2}\d)*`)
)

// matchLabel reports which field a line labels and the value it gives.
func matchLabel(line string) (formField, string, bool) {
	line = undecorate(line)
	if line == "" || !strings.ContainsRune(labelInitials, unicode.ToLower(rune(line[0]))) {
		return fieldNone, "", false // most lines of prose, without trying every pattern
	}
	for i, re := range labelREs {
		f := formLabels[i].field
		m := re.FindStringSubmatchIndex(line)
		if m == nil {
			if d := digitREs[i]; d != nil {
				if m := d.FindStringSubmatch(line); m != nil {
					return f, strings.TrimSpace(m[2]), true
				}
			}
			continue
		}
		if m[2] < 0 { // the label alone
			return f, "", true
		}
		sep, value := line[m[2]:m[3]], strings.TrimSpace(line[m[4]:m[5]])
		if strings.ContainsAny(sep, "-–—") && !strings.ContainsAny(sep, ":=") && hyphenated(line[:m[2]], value) {
			continue
		}
		return f, value, true
	}
	return fieldNone, "", false
}

// undecorate drops what people put around a label: a list marker or bullet
// and the asterisks of bold text ("*Nama Lengkap*: Rina", "**NIK:**").
func undecorate(line string) string {
	line = listMarkerRE.ReplaceAllString(line, "")
	if !strings.Contains(line, "*") {
		return line
	}
	var b strings.Builder
	last := 0
	for _, loc := range starsRE.FindAllStringIndex(line, -1) {
		if loc[0] > 0 && loc[1] < len(line) && isDigit(line[loc[0]-1]) && isDigit(line[loc[1]]) {
			continue // a masked number, "3201**********01", stays masked
		}
		b.WriteString(line[last:loc[0]])
		last = loc[1]
	}
	b.WriteString(line[last:])
	return strings.TrimSpace(b.String())
}

var starsRE = regexp.MustCompile(`\*+`)

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// splitInline cuts a line holding several "label: value" pairs into one
// line per pair, and the prose before them. A line with fewer than two
// labels is prose and stays whole.
func splitInline(line string) []string {
	if strings.Count(line, ":")+strings.Count(line, "=") < 2 {
		return nil // the common case, without running the long pattern
	}
	locs := inlineLabelRE.FindAllStringSubmatchIndex(line, -1)
	if len(locs) < 2 {
		return nil
	}
	parts := make([]string, 0, len(locs)+1)
	if prose := strings.TrimSpace(undecorate(line[:locs[0][2]])); prose != "" {
		parts = append(parts, prose) // "mau tanya ... Nama: Wahyu, NIK: 3578..."
	}
	for i, loc := range locs {
		end := len(line)
		if i+1 < len(locs) {
			end = locs[i+1][2]
		}
		part := strings.TrimRight(line[loc[2]:end], " \t,;|")
		parts = append(parts, trailingMarkerRE.ReplaceAllString(part, ""))
	}
	return parts
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

// cleanValue takes the decoration off a field's value: a leading
// separator left on the next line ("Nama" then ": Rina"), bold asterisks,
// and for numbers the notes around them. A value with no recognisable
// number is kept as written, so validation can say what is wrong with it.
func cleanValue(f formField, v string) string {
	v = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(v), ":=：-–—"))
	if strings.Contains(v, "*") && f != fieldComplaint && f != fieldNIK {
		v = strings.TrimSpace(strings.ReplaceAll(v, "*", ""))
	}
	switch f {
	case fieldName:
		v = strings.Trim(remarkRE.ReplaceAllString(v, ""), " \t,;.\"'")
	case fieldNIK:
		if strings.Contains(v, "*") { // a masked NIK, quoted from our own mail
			return ""
		}
		v = numberIn(v, 16, 16, 8)
	case fieldPhone:
		v = numberIn(v, 9, 15, 6)
	case fieldBirthPlace:
		v = strings.Trim(v, " \t,;")
	}
	return v
}

// numberIn returns the first run of digits in v holding between lo and hi
// digits, as written (groups and all); else the longest run of at least
// least digits; else v itself.
func numberIn(v string, lo, hi, least int) string {
	var longest string
	var longestN int
	for _, run := range numberRunRE.FindAllString(v, -1) {
		run = strings.TrimRight(run, " .-(")
		n := 0
		for _, r := range run {
			if r >= '0' && r <= '9' {
				n++
			}
		}
		if n >= lo && n <= hi {
			return run
		}
		if n > longestN {
			longest, longestN = run, n
		}
	}
	if longestN >= least {
		return longest
	}
	return v
}
