package ticket

import "time"

// IdentityKind is one way of recognising a person across channels.
type IdentityKind string

// The kinds of identity a complainant can have.
const (
	IdentityNIK      IdentityKind = "nik"
	IdentityPhone    IdentityKind = "phone"
	IdentityEmail    IdentityKind = "email"
	IdentityWhatsApp IdentityKind = "whatsapp"
)

// Identity is one value by which a complainant is known, e.g. a phone
// number. A NIK names one person; a phone or an email may be shared by a
// family, so those may belong to several complainants.
type Identity struct {
	Kind  IdentityKind
	Value string
}

// Complainant is one person who complains, whatever channel they use.
type Complainant struct {
	ID          int64
	Name        string
	NIK         string // full NIK: never logged, masked in every response
	Phone       string // E.164
	Email       string
	WhatsAppID  string
	BirthPlace  string
	BirthDate   *time.Time
	NIKWarnings []string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Identities returns the identities this complainant's fields carry.
func (c *Complainant) Identities() []Identity {
	var ids []Identity
	for _, id := range []Identity{
		{IdentityNIK, c.NIK}, {IdentityPhone, c.Phone}, {IdentityEmail, c.Email}, {IdentityWhatsApp, c.WhatsAppID},
	} {
		if id.Value != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// MaskedNIK returns the NIK as responses show it (see MaskNIK), or ""
// when there is none.
func (c *Complainant) MaskedNIK() string { return MaskNIK(c.NIK) }
