package email

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

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
	"januari": 1, "jan": 1, "janu": 1, "january": 1,
	"februari": 2, "feb": 2, "pebruari": 2, "peb": 2, "febuari": 2, "pebuari": 2, "febr": 2, "february": 2,
	"maret": 3, "mar": 3, "march": 3,
	"april": 4, "apr": 4,
	"mei": 5, "may": 5,
	"juni": 6, "jun": 6, "june": 6,
	"juli": 7, "jul": 7, "july": 7,
	"agustus": 8, "agt": 8, "agu": 8, "ags": 8, "agst": 8, "agus": 8, "agust": 8, "agts": 8, "aug": 8, "august": 8,
	"september": 9, "sep": 9, "sept": 9, "sepr": 9,
	"oktober": 10, "okt": 10, "oktb": 10, "oct": 10, "october": 10,
	"november": 11, "nov": 11, "nop": 11, "nopember": 11,
	"desember": 12, "des": 12, "desm": 12, "dec": 12, "december": 12,
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
	namedPattern = `(\d{1,2})[\s./,-]*(%s)\.?[\s./,-]*(\d{4}|\d{2})`
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
