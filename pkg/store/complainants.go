package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/aduan/aduan/pkg/ticket"
)

type complainantRow struct {
	ID          int64
	Name        string
	NIK         *string `gorm:"column:nik"`
	Phone       string
	Email       string
	WhatsAppID  string `gorm:"column:whatsapp_id"`
	BirthPlace  string
	BirthDate   *time.Time
	NIKWarnings []string `gorm:"column:nik_warnings;serializer:json"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (complainantRow) TableName() string { return "complainants" }

func toDBComplainant(c *ticket.Complainant) complainantRow {
	row := complainantRow{ID: c.ID, Name: c.Name, Phone: c.Phone, Email: c.Email, WhatsAppID: c.WhatsAppID,
		BirthPlace: c.BirthPlace, BirthDate: c.BirthDate, NIKWarnings: c.NIKWarnings}
	if c.NIK != "" {
		nik := c.NIK
		row.NIK = &nik
	}
	if row.NIKWarnings == nil {
		row.NIKWarnings = []string{}
	}
	return row
}

func toComplainant(r complainantRow) ticket.Complainant {
	c := ticket.Complainant{ID: r.ID, Name: r.Name, Phone: r.Phone, Email: r.Email, WhatsAppID: r.WhatsAppID,
		BirthPlace: r.BirthPlace, BirthDate: r.BirthDate, NIKWarnings: r.NIKWarnings,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.NIK != nil {
		c.NIK = *r.NIK
	}
	if c.NIKWarnings == nil {
		c.NIKWarnings = []string{}
	}
	return c
}

// CreateComplainant stores a new complainant and the identities its fields
// carry. A NIK already held by someone else is an ECONFLICT.
func (s *Store) CreateComplainant(ctx context.Context, c *ticket.Complainant) (err error) {
	defer wrap(&err, "create complainant")
	row := toDBComplainant(c)
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return err
	}
	*c = toComplainant(row)
	return s.AddIdentities(ctx, c.ID, c.Identities())
}

// UpdateComplainant saves c's fields and adds any identity it did not have.
func (s *Store) UpdateComplainant(ctx context.Context, c *ticket.Complainant) (err error) {
	defer wrap(&err, "update complainant")
	row := toDBComplainant(c)
	row.UpdatedAt = s.now()
	err = s.conn(ctx).Model(&complainantRow{ID: c.ID}).Select("name", "nik", "phone", "email", "whatsapp_id",
		"birth_place", "birth_date", "nik_warnings", "updated_at").Updates(&row).Error
	if err != nil {
		return err
	}
	return s.AddIdentities(ctx, c.ID, c.Identities())
}

type identityRow struct {
	Kind          string
	Value         string
	ComplainantID int64
}

func (identityRow) TableName() string { return "complainant_identities" }

// AddIdentities links identities to a complainant; those it has are kept.
func (s *Store) AddIdentities(ctx context.Context, complainantID int64, ids []ticket.Identity) (err error) {
	defer wrap(&err, "add identities")
	if len(ids) == 0 {
		return nil
	}
	rows := make([]identityRow, len(ids))
	for i, id := range ids {
		rows[i] = identityRow{Kind: string(id.Kind), Value: id.Value, ComplainantID: complainantID}
	}
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "kind"}, {Name: "value"}, {Name: "complainant_id"}}, DoNothing: true,
	}).Create(&rows).Error
}

// ComplainantsByIdentity returns the complainants known by any of ids, the
// most recently active first.
func (s *Store) ComplainantsByIdentity(ctx context.Context, ids ...ticket.Identity) (_ []ticket.Complainant, err error) {
	defer wrap(&err, "complainants by identity")
	if len(ids) == 0 {
		return nil, nil
	}
	q := s.conn(ctx).Model(&identityRow{}).Select("complainant_id")
	for i, id := range ids {
		cond := "kind = ? AND value = ?"
		if i == 0 {
			q = q.Where(cond, string(id.Kind), id.Value)
		} else {
			q = q.Or(cond, string(id.Kind), id.Value)
		}
	}
	var rows []complainantRow
	if err := s.conn(ctx).Where("id IN (?)", q).Order("updated_at DESC, id DESC").Limit(50).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]ticket.Complainant, len(rows))
	for i, r := range rows {
		out[i] = toComplainant(r)
	}
	return out, nil
}

// ComplainantByID returns one complainant.
func (s *Store) ComplainantByID(ctx context.Context, id int64) (_ ticket.Complainant, err error) {
	defer wrap(&err, "complainant by id")
	var row complainantRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return ticket.Complainant{}, notFound(err, "Pelapor")
	}
	return toComplainant(row), nil
}
