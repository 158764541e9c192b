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
// reveal. The result keeps the text's shape, so it works on HTML too.
func MaskText(s string) string {
	s = maskBirthDates(s)
	return digitRun.ReplaceAllStringFunc(s, maskDigitRun)
}

// digitRun is a run of digit groups, each separated from the next by one
// separator people put inside numbers; a leading + belongs to a phone.
// &nbsp; counts because mail clients write it between digit groups.
var digitRun = regexp.MustCompile(`\+?\d+(?:(?:[ \t.\-\x{00a0}]|&nbsp;|&#160;)\d+)*`)

// numberSep splits a digit run into its groups and separators.
var numberSep = regexp.MustCompile(`[ \t.\-\x{00a0}]|&nbsp;|&#160;`)

// maskDigitRun masks the numbers in one run of digit groups. A run may hold
// several numbers ("3201014508850001 081234567890"), so it is read group by
// group: from each group, the longest stretch of groups that is a NIK or a
// phone number is masked, stretches with mixed separators not counting
// (they are usually two numbers side by side, e.g. a date and a phone).
// Groups that are neither stay, unless 15 or more of their digits stand
// together.
func maskDigitRun(run string) string {
	plus := strings.HasPrefix(run, "+")
	groups := numberSep.Split(strings.TrimPrefix(run, "+"), -1)
	seps := numberSep.FindAllString(strings.TrimPrefix(run, "+"), -1)
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

// birthDate is a date written after a birth label on the same line: the
// label, up to 60 characters without digits (a place, a colon, HTML tags
// between table cells), then the date as 05-08-1985, 5/8/85, 1985-08-05 or
// 5 Agustus 1985. The date is submatch 1.
var birthDate = regexp.MustCompile(`(?i)(?:lahir|\bttl\b|t\.t\.l|birth|\bdob\b)[^\d\n]{0,60}?` +
	`(\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}|\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|` +
	`\d{1,2}\s*(?:jan|feb|mar|apr|mei|may|jun|jul|agu|agt|aug|sep|okt|oct|nov|des|dec)[a-z]*\.?\s*\d{2,4})`)

// maskBirthDates replaces each date written after a birth label.
func maskBirthDates(s string) string {
	locs := birthDate.FindAllStringSubmatchIndex(s, -1)
	if locs == nil {
		return s
	}
	var out strings.Builder
	last := 0
	for _, loc := range locs {
		out.WriteString(s[last:loc[2]])
		out.WriteString("**-**-****")
		last = loc[3]
	}
	out.WriteString(s[last:])
	return out.String()
}
