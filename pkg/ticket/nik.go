package ticket

import (
	"strings"
	"time"
	"unicode"
)

// NIKInfo is what a NIK encodes about its holder. Agents use it to spot a
// NIK typed for the wrong person before a ticket is worked.
type NIKInfo struct {
	Province, Regency, District string    // 2 digits each
	BirthDate                   time.Time // century resolved: the latest of 19YY/20YY not after now
	Female                      bool      // day had 40 added
	Serial                      string    // 4 digits
	Warnings                    []string  // Indonesian, e.g. unknown area prefix; not a rejection
}

// ParseNIK checks a NIK against the rules and returns what it encodes. now
// is passed in so the "not in the future" rule is testable and the same for
// every caller. Agents paste NIKs with spaces, dots or dashes between digit
// groups, so those are stripped first. Errors are *Error with Code EINVALID
// and an Indonesian Message naming the rule that failed; Fields is left empty
// because only the caller knows which field held the NIK.
func ParseNIK(s string, now time.Time) (NIKInfo, error) {
	nik := NormalizeNIK(s)
	switch {
	case nik == "":
		return NIKInfo{}, Errorf(EINVALID, "NIK belum diisi")
	case !onlyDigits(nik):
		return NIKInfo{}, Errorf(EINVALID, "NIK harus 16 digit angka, tanpa huruf atau tanda lain")
	case len(nik) != 16:
		return NIKInfo{}, Errorf(EINVALID, "NIK harus 16 digit angka (terisi %d digit)", len(nik))
	}
	birth, female, err := nikBirthDate(nik[6:12], now)
	if err != nil {
		return NIKInfo{}, err
	}
	if nik[12:] == "0000" {
		return NIKInfo{}, Errorf(EINVALID, "nomor urut NIK tidak boleh 0000")
	}
	n := NIKInfo{
		Province:  nik[0:2],
		Regency:   nik[2:4],
		District:  nik[4:6],
		BirthDate: birth,
		Female:    female,
		Serial:    nik[12:],
	}
	n.Warnings = nikAreaWarnings(n)
	return n, nil
}

// NormalizeNIK returns the 16 digits of s with separators removed (no
// validation beyond that), so a NIK is stored and searched in one form
// however it was pasted. Any whitespace counts as a separator because text
// copied from spreadsheets and chats brings tabs and non-breaking spaces.
func NormalizeNIK(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// MatchesBirthDate reports whether the NIK's encoded date (day, month,
// 2-digit year) agrees with a birth date the complainant gave. Only two digits
// of the year are compared because the NIK cannot tell 1925 from 2025: the
// century ParseNIK picked is a guess and must not count against the
// complainant. d is read in its own location.
func (n NIKInfo) MatchesBirthDate(d time.Time) bool {
	if n.BirthDate.IsZero() {
		return false
	}
	y, m, day := d.Date()
	return day == n.BirthDate.Day() && m == n.BirthDate.Month() && y%100 == n.BirthDate.Year()%100
}

// nikBirthDate decodes DDMMYY, women's days being 41–71. Both centuries are
// tried, latest first, so a child born this year is not read as 100 years
// old; the date is rejected only when neither reading is a past calendar day.
func nikBirthDate(ddmmyy string, now time.Time) (time.Time, bool, error) {
	day, month, yy := twoDigits(ddmmyy[0:2]), twoDigits(ddmmyy[2:4]), twoDigits(ddmmyy[4:6])
	female := day > 40
	if female {
		day -= 40
	}
	if day < 1 || day > 31 || month < 1 || month > 12 {
		return time.Time{}, false, Errorf(EINVALID, "tanggal lahir dalam NIK tidak valid")
	}
	today := calendarDay(now)
	exists := false
	for _, century := range []int{2000, 1900} {
		d := time.Date(century+yy, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		if d.Day() != day { // time.Date rolled e.g. 31 Feb into March
			continue
		}
		exists = true
		if !d.After(today) {
			return d, female, nil
		}
	}
	if exists {
		return time.Time{}, false, Errorf(EINVALID, "tanggal lahir dalam NIK ada di masa depan")
	}
	return time.Time{}, false, Errorf(EINVALID, "tanggal lahir dalam NIK tidak valid")
}

// AreaWarning is the warning of a NIK whose area codes look wrong: a
// province code Kemendagri does not use, or a regency or district 00. It
// is a warning, not an error: a NIK keeps the prefix of where it was first
// issued, and regions split and get new codes over time. It does not say
// which code or which part, because it is shown beside the masked NIK and
// naming the part would give back digits the mask hides; the audited
// reveal shows the whole NIK.
const AreaWarning = "kode wilayah NIK (provinsi, kabupaten/kota atau kecamatan) tidak dikenal; cocokkan dengan KTP"

// nikAreaWarnings flags area codes that look wrong, in one warning.
func nikAreaWarnings(n NIKInfo) []string {
	if !knownProvince(n.Province) || n.Regency == "00" || n.District == "00" {
		return []string{AreaWarning}
	}
	return nil
}

// knownProvince reports whether code is one of Kemendagri's province codes.
// A switch rather than a table keeps the list immutable.
func knownProvince(code string) bool {
	switch code {
	case "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", // Sumatra, Kepulauan Riau
		"31", "32", "33", "34", "35", "36", // Java
		"51", "52", "53", // Bali, Nusa Tenggara
		"61", "62", "63", "64", "65", // Kalimantan
		"71", "72", "73", "74", "75", "76", // Sulawesi
		"81", "82", // Maluku
		"91", "92", "93", "94", "95", "96": // Papua, after the 2022 splits
		return true
	}
	return false
}

// onlyDigits reports whether s is non-empty and all ASCII digits; other
// Unicode digits would not survive into a NIK or phone number.
func onlyDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// twoDigits reads a two-character string its caller has already checked
// holds ASCII digits.
func twoDigits(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }
