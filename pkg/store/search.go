package store

import (
	"context"
	"regexp"
	"strings"
	"unicode"

	"gorm.io/gorm"

	"github.com/aduan/aduan/pkg/ticket"
)

// A ticket search (TicketFilter.Query) is read as the first of these that
// fits the text, each answered from an index at a year of national volume
// (migrations 00001 and 00020):
//
//   - a whole ticket number, any case, perhaps in brackets: that ticket;
//   - the start of a number ("PL-2611", "pl-261104-0001"): tickets whose
//     number starts so, by a prefix range of tickets_number_prefix_idx;
//   - 16 digits, perhaps grouped by spaces, dots or dashes: the tickets of
//     whoever has that NIK (complainant_identities, as the caller lookup);
//   - an email address or a phone number in any form NormalizePhone takes:
//     the tickets of whoever has it, normalised as the intake stores it;
//   - anything else is words: tickets whose subject or text holds every
//     word (the full-text search column, 'simple' configuration: any case,
//     no stemming, as Indonesian needs), and tickets of complainants whose
//     name has words starting with each of them ("siti ami" finds Siti
//     Aminah). Both are searched and their tickets merged newest first.

// searchCond is one condition a search stands for; a ticket matching any of
// a search's conditions is found.
type searchCond struct {
	where string
	args  []any
	// name: where is a complainant condition on "m"; the tickets are those
	// of the complainants it finds (Store.byName).
	name bool
}

// numberStart is the start of a ticket number: its prefix and at least the
// first digit of its date, or its whole date and part of its sequence.
var numberStart = regexp.MustCompile(`(?i)^` + ticket.NumberPrefix + `-(\d{1,6}|\d{6}-\d{0,9})$`)

// maxNameWords bounds the words of a name search, so one query stays small.
const maxNameWords = 6

// searchConds returns the conditions text (trimmed, not empty) stands for.
func searchConds(text string) []searchCond {
	identity := func(kind ticket.IdentityKind, value string) []searchCond {
		return []searchCond{{where: "t.complainant_id IN (SELECT complainant_id FROM complainant_identities " +
			"WHERE kind = ? AND value = ?)", args: []any{string(kind), value}}}
	}
	if number, ok := ticket.ParseNumber(text); ok {
		return []searchCond{{where: "t.number = ?", args: []any{number}}}
	}
	if numberStart.MatchString(text) {
		// LIKE alone is estimated at 100,000 rows whatever the prefix, so
		// the planner walks the ids backwards checking each number: 15 s
		// for a day a year ago. The same prefix as a byte range of the
		// text_pattern_ops index (the last byte one higher; independent of
		// the collation) is estimated from the statistics.
		prefix := strings.ToUpper(text)
		next := prefix[:len(prefix)-1] + string(prefix[len(prefix)-1]+1)
		return []searchCond{{where: "t.number LIKE ? AND t.number ~>=~ ? AND t.number ~<~ ?",
			args: []any{prefix + "%", prefix, next}}}
	}
	if digitsOnly.MatchString(text) {
		if nik := ticket.NormalizeNIK(text); len(nik) == 16 {
			return identity(ticket.IdentityNIK, nik)
		}
	}
	if strings.Contains(text, "@") {
		if email, err := ticket.NormalizeEmail(text); err == nil {
			return identity(ticket.IdentityEmail, email)
		}
	}
	if phone, err := ticket.NormalizePhone(text); err == nil {
		return identity(ticket.IdentityPhone, phone)
	}
	conds := []searchCond{{where: "t.search @@ plainto_tsquery('simple', ?)", args: []any{text}}}
	if q := namePrefixQuery(text); q != "" {
		conds = append(conds, searchCond{where: "to_tsvector('simple', m.name) @@ to_tsquery('simple', ?)",
			args: []any{q}, name: true})
	}
	return conds
}

// namePrefixQuery turns words into a tsquery in which every word is a
// prefix ("siti ami" → "siti:* & ami:*"). Only letters and digits are kept,
// so nothing a caller types is read as tsquery syntax; "" when no word is
// left.
func namePrefixQuery(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > maxNameWords {
		words = words[:maxNameWords]
	}
	for i, w := range words {
		words[i] = strings.ToLower(w) + ":*"
	}
	return strings.Join(words, " & ")
}

// byName narrows q to the newest tickets of the complainants cond (on
// complainants "m") finds, f's filters applied. Each complainant's newest
// f.Limit ticket ids come from the (complainant_id, id) index, so the cost
// follows the complainants a name matches (a first name and the start of a
// last one: about 1,600 of 4 million), not the tickets table; the joined
// form, which PostgreSQL plans as a backward scan of all tickets checking
// each one's complainant, took seconds at 11 million tickets.
func (s *Store) byName(ctx context.Context, q *gorm.DB, f TicketFilter, cond searchCond) *gorm.DB {
	newest := s.filteredTickets(ctx, f, "t.id").Where("t.complainant_id = m.id").Order("t.id DESC").Limit(f.Limit)
	ids := s.conn(ctx).Table("complainants m").Select("x.id").Joins("CROSS JOIN LATERAL (?) x", newest).
		Where(cond.where, cond.args...).Order("x.id DESC").Limit(f.Limit)
	return q.Where("t.id IN (?)", ids)
}
