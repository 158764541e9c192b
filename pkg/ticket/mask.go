package ticket

import (
	"regexp"
	"strings"
)

// MaskNIK shows only the last two digits of a NIK, e.g. **************01.
//
// Every other digit is hidden because the rest can be worked out: the
// birth-date digits follow from the birth date a response carries (and the
// sex from the name), and the area codes from the area warnings. With
// only the serial's last two digits shown, a NIK whose holder's birth date
// and sex are known still has millions of candidates (TestMaskedNIKCandidates
// counts them); showing the area code too would leave about ten thousand.
// Anything that is not a 16-character NIK is masked whole so no fragment
// leaks.
func MaskNIK(nik string) string {
	switch {
	case nik == "":
		return ""
	case len(nik) != 16:
		return "****************"
	}
	return strings.Repeat("*", 14) + nik[14:]
}

// MaskText hides the personal numbers people type into free text: every
// NIK-shaped number (16 digits, perhaps grouped by spaces, dots or dashes),
// every Indonesian phone number (0…, 62…, +62…, 8…), any other run of 15 or
// more digits (a NIK mistyped, a family card, a bank account) and a date
// written after a birth label ("Tgl lahir: 05-08-1985"). What an agent reads
// by default goes through it; the original is shown only on an audited
// reveal. The result keeps the text's shape, so it works on HTML too;
// cid: references to a mail's inline images are left whole, as they are
// machine-made and must still name their image.
func MaskText(s string) string {
	lower := asciiLower(s)
	var out strings.Builder
	last := 0
	for i := 0; ; {
		k := strings.Index(lower[i:], "cid:")
		if k < 0 {
			break
		}
		start := i + k
		end := start + len("cid:")
		for end < len(s) && !strings.ContainsRune(" \t\r\n\"'<>", rune(s[end])) {
			end++
		}
		i = end
		if start > 0 && (isLetter(lower[start-1]) || isDigit(lower[start-1])) {
			continue // e.g. "acid:", not a URL
		}
		out.WriteString(maskPersonal(s[last:start]))
		out.WriteString(s[start:end])
		last = end
	}
	if last == 0 {
		return maskPersonal(s)
	}
	out.WriteString(maskPersonal(s[last:]))
	return out.String()
}

func maskPersonal(s string) string {
	return maskNumbers(maskBirthDates(s))
}

// numberSeps are what people put between the digit groups of one number,
// besides spaces, dots and dashes (numberSepAt): &nbsp; because mail
// clients write it there, and a line break because they wrap lines between
// groups.
var numberSeps = []string{"\t", "\u00a0", "&nbsp;", "&#160;", "\r\n", "\n"}

// maskNumbers masks the numbers in s, one run of digit groups at a time: a
// run is groups of digits each separated from the next by one of
// numberSeps, perhaps after a +. It scans by hand rather than by regexp
// because it runs on every message of every ticket shown.
func maskNumbers(s string) string {
	var out strings.Builder
	last := 0
	for i := 0; i < len(s); {
		start, plus := i, false
		if s[i] == '+' && i+1 < len(s) && isDigit(s[i+1]) {
			plus, i = true, i+1
		}
		if !isDigit(s[i]) {
			i++
			continue
		}
		var groups, seps []string
		for {
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			groups, i = append(groups, s[i:j]), j
			sep := numberSepAt(s, i)
			if sep == "" || i+len(sep) >= len(s) || !isDigit(s[i+len(sep)]) {
				break
			}
			seps, i = append(seps, sep), i+len(sep)
		}
		out.WriteString(s[last:start])
		out.WriteString(maskDigitRun(groups, seps, plus))
		last = i
	}
	if last == 0 {
		return s
	}
	out.WriteString(s[last:])
	return out.String()
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// numberSepAt returns the separator s has at i, or "": one of numberSeps,
// or a dot or a dash with up to two spaces either side ("3201 - 0145"), or
// one or two spaces.
func numberSepAt(s string, i int) string {
	for _, sep := range numberSeps {
		if strings.HasPrefix(s[i:], sep) {
			return sep
		}
	}
	spaces := func(j int) int {
		for k := 0; k < 2 && j < len(s) && s[j] == ' '; k++ {
			j++
		}
		return j
	}
	j := spaces(i)
	if j < len(s) && (s[j] == '.' || s[j] == '-') {
		j = spaces(j + 1)
	}
	return s[i:j]
}

// maskDigitRun masks the numbers in one run of digit groups, seps[i] being
// the separator after groups[i] and plus whether a + came first. A run may
// hold several numbers ("3201014508850001 081234567890"), so it is read
// group by group: from each group, the longest stretch of groups that is a
// NIK or a phone number is masked, stretches with mixed separators not
// counting (they are usually two numbers side by side, e.g. a date and a
// phone). Groups that are neither stay, unless 15 or more of their digits
// stand together.
func maskDigitRun(groups, seps []string, plus bool) string {
	var out strings.Builder
	if plus {
		out.WriteByte('+')
	}
	after := func(i int) string { // the separator after group i
		if i < len(seps) {
			return seps[i]
		}
		return ""
	}
	var loose []int // groups not part of a number, still to write
	flush := func() {
		if len(loose) == 0 {
			return
		}
		var digits strings.Builder
		for _, k := range loose {
			digits.WriteString(groups[k])
		}
		if d := digits.String(); len(d) >= 15 {
			out.WriteString(strings.Repeat("*", len(d)-2) + d[len(d)-2:] + after(loose[len(loose)-1]))
		} else {
			for _, k := range loose {
				out.WriteString(groups[k] + after(k))
			}
		}
		loose = loose[:0]
	}
	for i := 0; i < len(groups); {
		end, kind := numberAt(groups, seps, i, plus && i == 0)
		if kind == "" {
			loose = append(loose, i)
			i++
			continue
		}
		flush()
		digits := strings.Join(groups[i:end], "")
		if kind == "nik" {
			out.WriteString(MaskNIK(digits))
		} else {
			out.WriteString(maskPhoneDigits(digits))
		}
		out.WriteString(after(end - 1))
		i = end
	}
	flush()
	return out.String()
}

// numberAt finds the longest stretch of groups from i that is a NIK or a
// phone number and returns its end and kind ("nik", "phone"), or kind ""
// when there is none. plus says whether a + came before group i. A NIK or
// phone has at most 16 digits, which bounds the search on long runs.
func numberAt(groups, seps []string, i int, plus bool) (end int, kind string) {
	n, ref := 0, i // ref: the separator the number's groups are split by
	if groups[i] == "62" && i+1 < len(seps) {
		ref = i + 1 // +62 812-3456-7890: the country code stands apart
	}
	for j := i; j < len(groups); j++ {
		if j > ref+1 && seps[j-1] != seps[ref] {
			break
		}
		if n += len(groups[j]); n > 16 {
			break
		}
		digits := strings.Join(groups[i:j+1], "")
		switch {
		case n == 16 && !plus:
			end, kind = j+1, "nik"
		case phoneShaped(digits, plus):
			end, kind = j+1, "phone"
		}
	}
	return end, kind
}

// phoneShaped reports whether digits are an Indonesian phone number as
// people write it: 0 or 62 (+62) before a national number of 8 to 12
// digits that does not start with 0 or 1, or a bare mobile number (8…) of
// 9 to 12 digits. A date (05-08-1985) or a ticket number (211110-000123)
// is not.
func phoneShaped(digits string, plus bool) bool {
	var nsn string
	switch {
	case strings.HasPrefix(digits, "62"):
		nsn = digits[2:]
	case plus:
		return false
	case strings.HasPrefix(digits, "0"):
		nsn = digits[1:]
	case strings.HasPrefix(digits, "8"):
		return len(digits) >= 9 && len(digits) <= 12
	default:
		return false
	}
	return len(nsn) >= 8 && len(nsn) <= 12 && nsn[0] >= '2'
}

// maskPhoneDigits keeps a phone number's prefix (up to the first three
// digits of the national number: the operator) and its last two digits.
func maskPhoneDigits(digits string) string {
	keep := 3
	switch {
	case strings.HasPrefix(digits, "62"):
		keep = 5
	case strings.HasPrefix(digits, "0"):
		keep = 4
	}
	return digits[:keep] + strings.Repeat("*", len(digits)-keep-2) + digits[len(digits)-2:]
}

// birthLabels start a birth date, in lower case; short ones must stand as
// a word ("ttl", not "kettle").
var birthLabels = []struct {
	label string
	word  bool
}{{"lahir", false}, {"birth", false}, {"ttl", true}, {"t.t.l", true}, {"dob", true}}

// birthDate is the date after a birth label, on the same line: up to 60
// characters without digits (a place, a colon, HTML tags between table
// cells), then the date as 05-08-1985, 5/8/85, 1985-08-05 or 5 Agustus
// 1985. The date is submatch 1.
var birthDate = regexp.MustCompile(`^[^\d\n]{0,60}?` +
	`(\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}|\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|` +
	`(?i:\d{1,2}\s*(?:jan|feb|mar|apr|mei|may|jun|jul|agu|agt|aug|sep|okt|oct|nov|des|dec)[a-z]*\.?\s*\d{2,4}))`)

// maskBirthDates replaces each date written after a birth label. Labels
// are found with plain string search and the date is matched only on the
// few characters after one, which keeps long mails fast.
func maskBirthDates(s string) string {
	labels := newBirthLabelFinder(s)
	var out strings.Builder
	last := 0
	for from := 0; from < len(s); {
		at, end := labels.find(from)
		if at < 0 {
			break
		}
		window := s[end:min(len(s), end+120)]
		loc := birthDate.FindStringSubmatchIndex(window)
		if loc == nil {
			from = end
			continue
		}
		out.WriteString(s[last : end+loc[2]])
		out.WriteString("**-**-****")
		last, from = end+loc[3], end+loc[3]
	}
	if last == 0 {
		return s
	}
	out.WriteString(s[last:])
	return out.String()
}

// birthLabelFinder finds birth labels in a text, remembering where each
// label occurs next so the text is scanned once per label.
type birthLabelFinder struct {
	lower string
	next  []int // per label: its next start; -2 before the first search, -1 when there is no more
}

func newBirthLabelFinder(s string) *birthLabelFinder {
	f := &birthLabelFinder{lower: asciiLower(s), next: make([]int, len(birthLabels))}
	for i := range f.next {
		f.next[i] = -2
	}
	return f
}

// find returns where the first birth label at or after from starts and
// ends, or -1.
func (f *birthLabelFinder) find(from int) (at, end int) {
	at = -1
	for li, l := range birthLabels {
		if f.next[li] != -1 && f.next[li] < from {
			f.next[li] = f.search(l.label, l.word, from)
		}
		if k := f.next[li]; k >= 0 && (at < 0 || k < at) {
			at, end = k, k+len(l.label)
		}
	}
	return at, end
}

// search returns where label next starts at or after from, or -1.
func (f *birthLabelFinder) search(label string, word bool, from int) int {
	for from <= len(f.lower) {
		k := strings.Index(f.lower[from:], label)
		if k < 0 {
			return -1
		}
		k += from
		e := k + len(label)
		if !word || (k == 0 || !isLetter(f.lower[k-1])) && (e == len(f.lower) || !isLetter(f.lower[e])) {
			return k
		}
		from = k + 1
	}
	return -1
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' }

// asciiLower lowers ASCII letters only, so byte offsets stay those of s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
