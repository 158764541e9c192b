package registry

import (
	"fmt"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// MaskName shows a name the way a public page or an audit may: the first
// two letters of each word, the rest starred ("Siti Aminah" → "Si** Am****"),
// enough for its owner to recognise it and for no one to learn it.
func MaskName(name string) string {
	words := strings.Fields(name)
	for i, w := range words {
		r := []rune(w)
		keep := 2
		if len(r) <= 2 {
			keep = 1
		}
		// A lone initial still gets a star: a word's length is not told.
		words[i] = string(r[:keep]) + strings.Repeat("*", max(1, len(r)-keep))
	}
	return strings.Join(words, " ")
}

// MaskPhone keeps the last four digits of a number: enough for its owner
// to recognise, too few to call.
func MaskPhone(phone string) string {
	if phone == "" {
		return ""
	}
	if len(phone) <= 4 {
		return strings.Repeat("*", len(phone))
	}
	return strings.Repeat("*", len(phone)-4) + phone[len(phone)-4:]
}

// audit values: each field as the audit keeps it, masked.
func auditValue(field string, p Person) string {
	switch field {
	case "nik":
		return ticket.MaskNIK(p.NIK)
	case "name":
		return MaskName(p.Name)
	case "phone":
		return MaskPhone(p.Phone)
	case "birth_date":
		if p.BirthDate == nil {
			return ""
		}
		return p.BirthDate.Format("2006") + "-**-**"
	case "doses":
		last, ok := p.LastDose()
		if !ok {
			return "0 dosis"
		}
		return fmt.Sprintf("%d dosis, terakhir %s", len(p.Doses), last.Date.Format(time.DateOnly))
	}
	return ""
}
