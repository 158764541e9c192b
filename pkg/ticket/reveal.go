package ticket

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxRevealReason bounds the reason given for a reveal, in characters: a
// short why for the audit, not a note.
const MaxRevealReason = 200

// RevealReasons are the usual reasons for revealing personal data, offered
// for one-click choice; any other short reason may be typed instead. A
// function, not a variable, so no caller can change the list.
func RevealReasons() []string {
	return []string{
		"Verifikasi identitas penelepon",
		"Pencocokan NIK dengan foto KTP",
		"Koreksi data sertifikat",
		"Perubahan data pribadi atas permintaan pemilik data",
		"Penanganan NIK yang terdaftar atas nama orang lain",
		"Penggabungan data pelapor ganda",
		"Permintaan penegak hukum",
	}
}

// CheckRevealReason returns the reason for a reveal, trimmed, or an
// EINVALID error naming the field "reason": the audit of a reveal must say
// why, so a reason is required, short, and plain text.
func CheckRevealReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	var msg string
	switch {
	case !utf8.ValidString(reason):
		msg = "alasan berisi karakter yang tidak valid"
	case reason == "":
		msg = "alasan wajib diisi: tulis mengapa data ini perlu dibuka"
	case utf8.RuneCountInString(reason) > MaxRevealReason:
		msg = fmt.Sprintf("alasan paling banyak %d karakter", MaxRevealReason)
	case strings.ContainsFunc(reason, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }):
		msg = "alasan hanya satu baris teks, tanpa karakter kontrol atau tak terlihat"
	default:
		return reason, nil
	}
	return "", &Error{Code: EINVALID, Message: "Data tidak valid. / Some fields are invalid.",
		Fields: map[string]string{"reason": msg}}
}
