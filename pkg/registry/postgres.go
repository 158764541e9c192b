package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// MaxName bounds a name, as the KTP prints it.
const MaxName = 100

// Postgres is the Registry kept in Aduan's own PostgreSQL (filled by
// `aduan registry import`), for a deployment with no access to the
// national system, for the demo and for the tests.
type Postgres struct {
	st  *store.Store
	now func() time.Time
}

// NewPostgres returns the registry kept in st.
func NewPostgres(st *store.Store) *Postgres {
	return &Postgres{st: st, now: time.Now}
}

// WithClock returns the same registry stamping its audit with now.
func (r *Postgres) WithClock(now func() time.Time) *Postgres {
	return &Postgres{st: r.st, now: now}
}

var _ Registry = (*Postgres)(nil)

// ByPhone returns the person whose registered number is phone, written in
// any form ticket.NormalizePhone reads; ErrNotFound when none.
func (r *Postgres) ByPhone(ctx context.Context, phone string) (Person, error) {
	e164, err := ticket.NormalizePhone(phone)
	if err != nil {
		return Person{}, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	row, err := r.st.RegistryPersonByPhone(ctx, e164)
	return toPerson(row), domainErr(err)
}

// ByNIK returns the person with that NIK; ErrNotFound when none.
func (r *Postgres) ByNIK(ctx context.Context, nik string) (Person, error) {
	nik = ticket.NormalizeNIK(nik)
	if !validNIK(nik) {
		return Person{}, fmt.Errorf("%w: a NIK has 16 digits", ErrNotFound)
	}
	row, err := r.st.RegistryPersonByNIK(ctx, nik, false)
	return toPerson(row), domainErr(err)
}

// ChangeName sets the name of the record with that NIK and audits it. A
// name that is already the record's changes nothing and is not audited.
func (r *Postgres) ChangeName(ctx context.Context, nik, name string, by Actor) error {
	name, err := cleanName(name)
	if err != nil {
		return err
	}
	return r.change(ctx, nik, by, func(p *Person) error {
		p.Name = name
		return nil
	})
}

// ChangePhone sets the registered number of the record with that NIK and
// audits it; ErrPhoneTaken when another record holds the number.
func (r *Postgres) ChangePhone(ctx context.Context, nik, phone string, by Actor) error {
	e164, err := ticket.NormalizePhone(phone)
	if err != nil {
		return err
	}
	return r.change(ctx, nik, by, func(p *Person) error {
		p.Phone = e164
		return nil
	})
}

// change applies edit to the record with that NIK in one transaction,
// the row locked, and writes what changed to the audit.
func (r *Postgres) change(ctx context.Context, nik string, by Actor, edit func(*Person) error) error {
	nik = ticket.NormalizeNIK(nik)
	if !validNIK(nik) {
		return fmt.Errorf("%w: a NIK has 16 digits", ErrNotFound)
	}
	if err := validActor(by); err != nil {
		return err
	}
	return r.st.WithTx(ctx, func(ctx context.Context) error {
		row, err := r.st.RegistryPersonByNIK(ctx, nik, true)
		if err != nil {
			return domainErr(err)
		}
		old := toPerson(row)
		next := old
		next.Doses = append([]Dose(nil), old.Doses...)
		if err := edit(&next); err != nil {
			return err
		}
		_, err = r.save(ctx, row.ID, old, next, by)
		return err
	})
}

// save writes next over old (record id) and audits each field that
// differs; it reports whether anything did.
func (r *Postgres) save(ctx context.Context, id int64, old, next Person, by Actor) (bool, error) {
	fields := diff(old, next)
	if len(fields) == 0 {
		return false, nil
	}
	if next.Phone != "" && next.Phone != old.Phone {
		if err := r.phoneFree(ctx, next.Phone, id); err != nil {
			return false, err
		}
	}
	row := toStore(next)
	row.ID = id
	if err := r.st.UpdateRegistryPerson(ctx, row); err != nil {
		return false, domainErr(err)
	}
	if containsField(fields, "doses") {
		if err := r.st.ReplaceRegistryDoses(ctx, id, row.Doses); err != nil {
			return false, err
		}
	}
	return true, r.audit(ctx, id, by, old, next, fields...)
}

// phoneFree says ErrPhoneTaken when a record other than id holds phone.
func (r *Postgres) phoneFree(ctx context.Context, phone string, id int64) error {
	holder, err := r.st.RegistryPersonByPhone(ctx, phone)
	switch {
	case ticket.ErrorCode(err) == ticket.ENOTFOUND:
		return nil
	case err != nil:
		return err
	case holder.ID != id:
		return ErrPhoneTaken
	}
	return nil
}

func (r *Postgres) audit(ctx context.Context, id int64, by Actor, old, next Person, fields ...string) error {
	at := r.now().UTC()
	changes := make([]store.RegistryChange, len(fields))
	for i, f := range fields {
		changes[i] = store.RegistryChange{PersonID: id, At: at, ActorKind: string(by.Kind), ActorID: by.ID,
			Field: f, Old: auditValue(f, old), New: auditValue(f, next)}
	}
	return r.st.AddRegistryChanges(ctx, changes...)
}

// Change is one audit entry of a record, its values masked.
type Change struct {
	At       time.Time
	By       Actor
	Field    string // nik (the record was created), name, birth_date, phone, doses
	Old, New string
}

// Changes returns the audit of the record with that NIK, oldest first.
func (r *Postgres) Changes(ctx context.Context, nik string) ([]Change, error) {
	row, err := r.st.RegistryPersonByNIK(ctx, ticket.NormalizeNIK(nik), false)
	if err != nil {
		return nil, domainErr(err)
	}
	rows, err := r.st.RegistryChanges(ctx, row.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Change, len(rows))
	for i, c := range rows {
		out[i] = Change{At: c.At, By: Actor{Kind: ActorKind(c.ActorKind), ID: c.ActorID}, Field: c.Field, Old: c.Old, New: c.New}
	}
	return out, nil
}

// diff names the fields in which next differs from old.
func diff(old, next Person) []string {
	var fields []string
	if old.Name != next.Name {
		fields = append(fields, "name")
	}
	if !sameDate(old.BirthDate, next.BirthDate) {
		fields = append(fields, "birth_date")
	}
	if old.Phone != next.Phone {
		fields = append(fields, "phone")
	}
	if !sameDoses(old.Doses, next.Doses) {
		fields = append(fields, "doses")
	}
	return fields
}

func sameDate(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Format(time.DateOnly) == b.Format(time.DateOnly)
}

func sameDoses(a, b []Dose) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = sortedDoses(a), sortedDoses(b)
	for i := range a {
		if a[i].Dose != b[i].Dose || a[i].Date.Format(time.DateOnly) != b[i].Date.Format(time.DateOnly) ||
			a[i].Vaccine != b[i].Vaccine || a[i].Place != b[i].Place {
			return false
		}
	}
	return true
}

func containsField(fields []string, f string) bool {
	for _, x := range fields {
		if x == f {
			return true
		}
	}
	return false
}

func validActor(by Actor) error {
	switch by.Kind {
	case ActorWhatsApp, ActorAgent, ActorImport:
	default:
		return fmt.Errorf("registry: unknown actor kind %q", by.Kind)
	}
	if by.ID == "" {
		return fmt.Errorf("registry: a change by %s needs the actor's id", by.Kind)
	}
	return nil
}

func validNIK(nik string) bool {
	if len(nik) != 16 {
		return false
	}
	for _, c := range nik {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func cleanName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return "", ticket.Errorf(ticket.EINVALID, "nama belum diisi")
	case !utf8.ValidString(name) || strings.ContainsRune(name, 0):
		return "", ticket.Errorf(ticket.EINVALID, "nama berisi karakter tidak sah")
	case utf8.RuneCountInString(name) > MaxName:
		return "", ticket.Errorf(ticket.EINVALID, "nama lebih dari %d karakter", MaxName)
	}
	return name, nil
}

// domainErr turns the store's not-found and phone conflict into the
// registry's errors.
func domainErr(err error) error {
	switch {
	case err == nil:
		return nil
	case ticket.ErrorCode(err) == ticket.ENOTFOUND:
		return ErrNotFound
	case store.UniqueViolation(err) == store.ConstraintRegistryPhone:
		return ErrPhoneTaken
	}
	return err
}

func toPerson(r store.RegistryPerson) Person {
	p := Person{NIK: r.NIK, Name: r.Name, BirthDate: r.BirthDate, Phone: r.Phone}
	for _, d := range r.Doses {
		p.Doses = append(p.Doses, Dose{Dose: d.Dose, Date: d.Date, Vaccine: d.Vaccine, Place: d.Place})
	}
	return p
}

func toStore(p Person) store.RegistryPerson {
	r := store.RegistryPerson{NIK: p.NIK, Name: p.Name, BirthDate: dateOnly(p.BirthDate), Phone: p.Phone}
	for _, d := range sortedDoses(p.Doses) {
		r.Doses = append(r.Doses, store.RegistryDose{Dose: d.Dose, Date: *dateOnly(&d.Date), Vaccine: d.Vaccine, Place: d.Place})
	}
	return r
}

// dateOnly is t's calendar date at midnight UTC, as a date column keeps it.
func dateOnly(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

// sortedDoses returns doses by date, then number (oldest first).
func sortedDoses(doses []Dose) []Dose {
	out := append([]Dose(nil), doses...)
	slices.SortFunc(out, func(a, b Dose) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		return a.Dose - b.Dose
	})
	return out
}
