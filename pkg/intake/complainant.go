package intake

import (
	"context"

	"github.com/aduan/aduan/pkg/ticket"
)

// linkComplainant finds the person given describes, so that a caller who
// wrote an email last week is one complainant, not two. It writes nothing:
// it returns the complainant to store (ID 0 for a new person) and whether
// a known one changed.
//
// A NIK names one person. Without a matching NIK, someone known by the same
// phone, email or WhatsApp id is the same person unless they hold another
// NIK: families share phones, so a different NIK means a different person.
func (in *Ingester) linkComplainant(ctx context.Context, given ticket.Complainant) (c ticket.Complainant, changed bool, err error) {
	candidates, err := in.store.ComplainantsByIdentity(ctx, given.Identities()...)
	if err != nil {
		return ticket.Complainant{}, false, err
	}
	match := pickComplainant(candidates, given.NIK)
	if match == nil {
		c = given
		c.ID = 0
		if c.NIKWarnings == nil {
			c.NIKWarnings = []string{}
		}
		return c, false, nil
	}
	changed = mergeComplainant(match, given)
	return *match, changed, nil
}

func pickComplainant(candidates []ticket.Complainant, nik string) *ticket.Complainant {
	if nik != "" {
		for i := range candidates {
			if candidates[i].NIK == nik {
				return &candidates[i]
			}
		}
	}
	for i := range candidates {
		if candidates[i].NIK == "" || nik == "" {
			return &candidates[i]
		}
	}
	return nil
}

// mergeComplainant fills what c lacks from given and adds given's new
// identities. It never overwrites what c has: a name typed on a call does
// not silently replace the one on record.
func mergeComplainant(c *ticket.Complainant, given ticket.Complainant) bool {
	changed := false
	fill := func(dst *string, src string) {
		if *dst == "" && src != "" {
			*dst, changed = src, true
		}
	}
	fill(&c.Name, given.Name)
	fill(&c.NIK, given.NIK)
	fill(&c.Phone, given.Phone)
	fill(&c.Email, given.Email)
	fill(&c.WhatsAppID, given.WhatsAppID)
	fill(&c.BirthPlace, given.BirthPlace)
	if c.BirthDate == nil && given.BirthDate != nil {
		c.BirthDate, changed = given.BirthDate, true
	}
	if len(c.NIKWarnings) == 0 && len(given.NIKWarnings) > 0 && c.NIK == given.NIK {
		c.NIKWarnings, changed = given.NIKWarnings, true
	}
	known := map[ticket.Identity]bool{}
	for _, id := range c.Identities() {
		known[id] = true
	}
	for _, id := range given.Identities() {
		if !known[id] {
			changed = true // a second phone or email: stored as an identity
		}
	}
	return changed
}
