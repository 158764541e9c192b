package ticket

import (
	"strings"
	"unicode"
)

// NormalizePhone turns an Indonesian number into E.164. Complainants and
// agents write the same number as 0811-…, +62 811 …, 62811…, 811… or
// (021) …; matching identities across channels needs one form. Only +62 is
// accepted because the help desk calls and messages Indonesian numbers only.
func NormalizePhone(s string) (string, error) {
	p := strings.Map(func(r rune) rune {
		if r == '-' || r == '.' || r == '(' || r == ')' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if p == "" {
		return "", Errorf(EINVALID, "nomor telepon belum diisi")
	}
	plus := strings.HasPrefix(p, "+")
	digits := strings.TrimPrefix(p, "+")
	if !onlyDigits(digits) {
		return "", Errorf(EINVALID, "nomor telepon hanya boleh berisi angka")
	}

	var nsn string // national significant number: what follows +62 or the trunk 0
	switch {
	case strings.HasPrefix(digits, "62"):
		nsn = digits[2:]
		if strings.HasPrefix(nsn, "0") {
			return "", Errorf(EINVALID, "setelah 62 jangan tulis angka 0")
		}
	case plus:
		return "", Errorf(EINVALID, "hanya nomor Indonesia (+62)")
	case digits[0] == '0':
		nsn = digits[1:]
	case digits[0] == '8':
		// A bare national number is only unambiguous for mobiles: a bare
		// landline like 21… could be a foreign number missing its +.
		nsn = digits
	default:
		return "", Errorf(EINVALID, "nomor telepon harus diawali 0, 8, 62 atau +62")
	}

	switch {
	case nsn == "" || nsn[0] < '2':
		return "", Errorf(EINVALID, "nomor telepon tidak valid")
	case len(nsn) < 8:
		return "", Errorf(EINVALID, "nomor telepon terlalu pendek")
	case len(nsn) > 12:
		return "", Errorf(EINVALID, "nomor telepon terlalu panjang")
	}
	return "+62" + nsn, nil
}
