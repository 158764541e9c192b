package ticket

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on complainant fields.
const (
	maxNameRunes = 100 // longer than any name on a KTP; stops pasted paragraphs
	maxEmailLen  = 254 // the longest address SMTP can deliver to (RFC 5321)
)

// NormalizeName trims and collapses inner whitespace so the same person typed
// twice compares equal; rejects empty, longer than 100 runes,
// control characters, or no letter at all. Control and format characters are
// rejected because they hide text (e.g. a right-to-left override) in the
// agent's screen and on certificates.
func NormalizeName(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", Errorf(EINVALID, "nama berisi karakter yang tidak boleh")
	}
	name := strings.Join(strings.Fields(s), " ")
	switch {
	case name == "":
		return "", Errorf(EINVALID, "nama belum diisi")
	case utf8.RuneCountInString(name) > maxNameRunes:
		return "", Errorf(EINVALID, "nama terlalu panjang (maks. %d karakter)", maxNameRunes)
	case strings.ContainsFunc(name, func(r rune) bool { return unicode.In(r, unicode.Cc, unicode.Cf) }):
		return "", Errorf(EINVALID, "nama berisi karakter yang tidak boleh")
	case !strings.ContainsFunc(name, unicode.IsLetter):
		return "", Errorf(EINVALID, "nama harus berisi huruf")
	}
	return name, nil
}

// NormalizeEmail parses with net/mail (accepting "Name <a@b>" and returning
// just the address, lowercased domain), rejects anything that is not one
// address, max 254 chars. Only the domain is lowercased because it is
// case-insensitive everywhere while the local part, strictly, is not.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Errorf(EINVALID, "email belum diisi")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", Errorf(EINVALID, "alamat email tidak valid")
	}
	at := strings.LastIndexByte(a.Address, '@')
	if at < 0 {
		return "", Errorf(EINVALID, "alamat email tidak valid")
	}
	addr := a.Address[:at+1] + strings.ToLower(a.Address[at+1:])
	if len(addr) > maxEmailLen {
		return "", Errorf(EINVALID, "alamat email terlalu panjang")
	}
	return addr, nil
}

// birthDateLayout is the one form the API takes birth dates in.
const birthDateLayout = "2006-01-02"

// ParseBirthDate accepts YYYY-MM-DD (API form) and returns an EINVALID error
// for anything else, a non-date, or a date in the future relative to now, or
// before 1900. now is passed in so the rule is testable. Input is not trimmed
// or guessed at: day-first forms like 02-03-1985 are ambiguous, so the
// clients must send the API form.
func ParseBirthDate(s string, now time.Time) (time.Time, error) {
	if len(s) != len(birthDateLayout) || s[4] != '-' || s[7] != '-' || !onlyDigits(s[:4]+s[5:7]+s[8:]) {
		return time.Time{}, Errorf(EINVALID, "tanggal lahir harus ditulis TAHUN-BULAN-TANGGAL, mis. 1985-04-23")
	}
	d, err := time.Parse(birthDateLayout, s)
	switch {
	case err != nil:
		return time.Time{}, Errorf(EINVALID, "tanggal lahir tidak ada di kalender")
	case d.After(calendarDay(now)):
		return time.Time{}, Errorf(EINVALID, "tanggal lahir ada di masa depan")
	case d.Year() < 1900:
		return time.Time{}, Errorf(EINVALID, "tanggal lahir tidak boleh sebelum tahun 1900")
	}
	return d, nil
}

// calendarDay is now's date at midnight UTC, the form birth dates are held
// in. Birth dates are days, not instants: comparing days keeps someone born
// today valid whatever the hour or zone now carries.
func calendarDay(now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
