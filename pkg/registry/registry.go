// Package registry is the national vaccination registry as Aduan sees it:
// the people, their registered phone numbers and their doses. The WhatsApp
// bot reads it and corrects names and phone numbers in it. Registry is
// the seam: the real national system behind one implementation, Aduan's
// own PostgreSQL copy behind another.
package registry

import (
	"context"
	"errors"
	"time"
)

// Person is one record of the registry.
type Person struct {
	NIK       string // 16 digits; never logged, masked wherever it is shown
	Name      string // as on the KTP
	BirthDate *time.Time
	Phone     string // E.164, the number registered in the app
	Doses     []Dose // oldest first
}

// Dose is one vaccination on record.
type Dose struct {
	Dose    int // 1, 2, 3 (booster) …
	Date    time.Time
	Vaccine string // e.g. "Sinovac", "AstraZeneca"
	Place   string // the health facility
}

// LastDose returns the latest dose and true, or false when there is none.
func (p Person) LastDose() (Dose, bool) {
	if len(p.Doses) == 0 {
		return Dose{}, false
	}
	last := p.Doses[0]
	for _, d := range p.Doses[1:] {
		if d.Date.After(last.Date) {
			last = d
		}
	}
	return last, true
}

// Actor says who changed a record, for the audit: the OTP-verified
// WhatsApp number, an agent, or an import.
type Actor struct {
	Kind ActorKind
	// ID is the verified phone (E.164) for ActorWhatsApp, the user id for
	// ActorAgent, the file name for ActorImport.
	ID string
}

// ActorKind is the kind of Actor.
type ActorKind string

// The kinds of actor that change the registry.
const (
	ActorWhatsApp ActorKind = "whatsapp"
	ActorAgent    ActorKind = "agent"
	ActorImport   ActorKind = "import"
)

// Errors a Registry returns (wrapped; test with errors.Is).
var (
	// ErrNotFound: no record has that NIK or phone number.
	ErrNotFound = errors.New("registry: no such person")
	// ErrPhoneTaken: the new phone number belongs to another record.
	ErrPhoneTaken = errors.New("registry: phone number registered to another person")
)

// Registry reads and corrects the vaccination registry. Every change is
// audited with its Actor.
type Registry interface {
	// ByPhone returns the person whose registered number is phone (E.164).
	ByPhone(ctx context.Context, phone string) (Person, error)
	// ByNIK returns the person with that NIK.
	ByNIK(ctx context.Context, nik string) (Person, error)
	// ChangeName sets the name of the record with that NIK.
	ChangeName(ctx context.Context, nik, name string, by Actor) error
	// ChangePhone sets the registered number of the record with that NIK.
	ChangePhone(ctx context.Context, nik, phone string, by Actor) error
}
