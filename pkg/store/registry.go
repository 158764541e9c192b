package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// ConstraintRegistryPhone is broken when a number is given to a second
// registry record: a number belongs to one person.
const ConstraintRegistryPhone = "registry_people_phone_key"

// RegistryPerson is one row of Aduan's copy of the vaccination registry.
type RegistryPerson struct {
	ID        int64
	NIK       string
	Name      string
	BirthDate *time.Time
	Phone     string // E.164, "" when none
	Doses     []RegistryDose
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RegistryDose is one vaccination of a registry record.
type RegistryDose struct {
	Dose    int
	Date    time.Time
	Vaccine string
	Place   string
}

// RegistryChange is one audit entry: a field of one record changed by an
// actor. Old and New are already masked by the caller.
type RegistryChange struct {
	ID        int64
	PersonID  int64
	At        time.Time
	ActorKind string
	ActorID   string
	Field     string
	Old, New  string
}

type registryPersonRow struct {
	ID        int64
	NIK       string `gorm:"column:nik"`
	Name      string
	BirthDate *time.Time
	Phone     *string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (registryPersonRow) TableName() string { return "registry_people" }

type registryDoseRow struct {
	PersonID int64
	Dose     int
	Date     time.Time
	Vaccine  string
	Place    string
}

func (registryDoseRow) TableName() string { return "registry_doses" }

type registryAuditRow struct {
	ID        int64
	PersonID  int64
	At        time.Time
	ActorKind string
	ActorID   string
	Field     string
	OldMasked string
	NewMasked string
}

func (registryAuditRow) TableName() string { return "registry_audit" }

func toDBRegistryPerson(p *RegistryPerson) registryPersonRow {
	row := registryPersonRow{ID: p.ID, NIK: p.NIK, Name: p.Name, BirthDate: p.BirthDate}
	if p.Phone != "" {
		phone := p.Phone
		row.Phone = &phone
	}
	return row
}

func toRegistryPerson(r registryPersonRow) RegistryPerson {
	p := RegistryPerson{ID: r.ID, NIK: r.NIK, Name: r.Name, BirthDate: r.BirthDate,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.Phone != nil {
		p.Phone = *r.Phone
	}
	return p
}

// RegistryPersonByNIK returns the record with that NIK and its doses,
// oldest first; ENOTFOUND when there is none. forUpdate locks the row
// until the caller's transaction ends, for a read-then-change.
func (s *Store) RegistryPersonByNIK(ctx context.Context, nik string, forUpdate bool) (_ RegistryPerson, err error) {
	defer wrap(&err, "registry person by nik")
	return s.registryPerson(ctx, forUpdate, "nik = ?", nik)
}

// RegistryPersonByPhone returns the record whose registered number is
// phone (E.164) and its doses; ENOTFOUND when there is none.
func (s *Store) RegistryPersonByPhone(ctx context.Context, phone string) (_ RegistryPerson, err error) {
	defer wrap(&err, "registry person by phone")
	return s.registryPerson(ctx, false, "phone = ?", phone)
}

func (s *Store) registryPerson(ctx context.Context, forUpdate bool, where string, arg any) (RegistryPerson, error) {
	q := s.conn(ctx).Where(where, arg)
	if forUpdate {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row registryPersonRow
	if err := q.Take(&row).Error; err != nil {
		return RegistryPerson{}, notFound(err, "Data vaksinasi")
	}
	p := toRegistryPerson(row)
	var doses []registryDoseRow
	if err := s.conn(ctx).Where("person_id = ?", row.ID).Order("date, dose").Find(&doses).Error; err != nil {
		return RegistryPerson{}, err
	}
	for _, d := range doses {
		p.Doses = append(p.Doses, RegistryDose{Dose: d.Dose, Date: d.Date, Vaccine: d.Vaccine, Place: d.Place})
	}
	return p, nil
}

// CreateRegistryPerson stores a new record and its doses and sets p.ID. A
// NIK or phone number already held breaks its unique constraint.
func (s *Store) CreateRegistryPerson(ctx context.Context, p *RegistryPerson) (err error) {
	defer wrap(&err, "create registry person")
	row := toDBRegistryPerson(p)
	row.CreatedAt, row.UpdatedAt = s.now().UTC(), s.now().UTC()
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return err
	}
	p.ID, p.CreatedAt, p.UpdatedAt = row.ID, row.CreatedAt, row.UpdatedAt
	return s.ReplaceRegistryDoses(ctx, p.ID, p.Doses)
}

// UpdateRegistryPerson saves the name, birth date and phone of the record
// p.ID. A phone number held by another record breaks
// ConstraintRegistryPhone.
func (s *Store) UpdateRegistryPerson(ctx context.Context, p RegistryPerson) (err error) {
	defer wrap(&err, "update registry person")
	row := toDBRegistryPerson(&p)
	row.UpdatedAt = s.now().UTC()
	return s.conn(ctx).Model(&registryPersonRow{ID: p.ID}).
		Select("name", "birth_date", "phone", "updated_at").Updates(&row).Error
}

// ReplaceRegistryDoses sets the doses of record personID to doses.
func (s *Store) ReplaceRegistryDoses(ctx context.Context, personID int64, doses []RegistryDose) (err error) {
	defer wrap(&err, "replace registry doses")
	if err := s.conn(ctx).Where("person_id = ?", personID).Delete(&registryDoseRow{}).Error; err != nil {
		return err
	}
	if len(doses) == 0 {
		return nil
	}
	rows := make([]registryDoseRow, len(doses))
	for i, d := range doses {
		rows[i] = registryDoseRow{PersonID: personID, Dose: d.Dose, Date: d.Date, Vaccine: d.Vaccine, Place: d.Place}
	}
	return s.conn(ctx).Create(&rows).Error
}

// AddRegistryChanges writes audit entries.
func (s *Store) AddRegistryChanges(ctx context.Context, changes ...RegistryChange) (err error) {
	defer wrap(&err, "add registry changes")
	if len(changes) == 0 {
		return nil
	}
	rows := make([]registryAuditRow, len(changes))
	for i, c := range changes {
		rows[i] = registryAuditRow{PersonID: c.PersonID, At: c.At.UTC(), ActorKind: c.ActorKind, ActorID: c.ActorID,
			Field: c.Field, OldMasked: c.Old, NewMasked: c.New}
	}
	return s.conn(ctx).Create(&rows).Error
}

// RegistryChanges returns the audit entries of record personID, oldest
// first.
func (s *Store) RegistryChanges(ctx context.Context, personID int64) (_ []RegistryChange, err error) {
	defer wrap(&err, "registry changes")
	var rows []registryAuditRow
	if err := s.conn(ctx).Where("person_id = ?", personID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]RegistryChange, len(rows))
	for i, r := range rows {
		out[i] = RegistryChange{ID: r.ID, PersonID: r.PersonID, At: r.At, ActorKind: r.ActorKind, ActorID: r.ActorID,
			Field: r.Field, Old: r.OldMasked, New: r.NewMasked}
	}
	return out, nil
}
