package registry

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// MaxLine bounds one line of an import file; a person with every dose
// they could have fits many times over.
const MaxLine = 64 << 10

// Outcome is what importing one person did.
type Outcome string

// The outcomes of importing one person.
const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
)

// importLine is one line of an import file (DESIGN.md, "The registry").
type importLine struct {
	NIK       string `json:"nik"`
	Name      string `json:"name"`
	BirthDate string `json:"birth_date"`
	Phone     string `json:"phone"`
	Doses     []struct {
		Dose    int    `json:"dose"`
		Date    string `json:"date"`
		Vaccine string `json:"vaccine"`
		Place   string `json:"place"`
	} `json:"doses"`
}

// ParseLine reads one line of an import file into the person it describes,
// or says in Indonesian what is wrong with it. Unknown fields are refused,
// so a misspelt "birth_date" is not silently dropped. now bounds dates:
// nothing is born or vaccinated in the future.
func ParseLine(line []byte, now time.Time) (Person, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var in importLine
	if err := dec.Decode(&in); err != nil {
		return Person{}, fmt.Errorf("bukan JSON yang diharapkan: %v", err)
	}
	if dec.More() {
		return Person{}, errors.New("lebih dari satu objek JSON di satu baris")
	}
	p := Person{NIK: ticket.NormalizeNIK(in.NIK)}
	if !validNIK(p.NIK) {
		return Person{}, errors.New("nik: harus 16 angka")
	}
	name, err := cleanName(in.Name)
	if err != nil {
		return Person{}, fmt.Errorf("name: %v", ticket.ErrorMessage(err))
	}
	p.Name = name
	if in.BirthDate != "" {
		d, err := parseDate(in.BirthDate, now)
		if err != nil {
			return Person{}, fmt.Errorf("birth_date: %v", err)
		}
		p.BirthDate = &d
	}
	if strings.TrimSpace(in.Phone) != "" {
		if p.Phone, err = ticket.NormalizePhone(in.Phone); err != nil {
			return Person{}, fmt.Errorf("phone: %v", ticket.ErrorMessage(err))
		}
	}
	seen := map[int]bool{}
	for i, d := range in.Doses {
		at := fmt.Sprintf("doses[%d]", i)
		switch {
		case d.Dose < 1:
			return Person{}, fmt.Errorf("%s.dose: harus 1 atau lebih", at)
		case seen[d.Dose]:
			return Person{}, fmt.Errorf("%s.dose: dosis %d tertulis dua kali", at, d.Dose)
		case strings.TrimSpace(d.Vaccine) == "":
			return Person{}, fmt.Errorf("%s.vaccine: belum diisi", at)
		case strings.TrimSpace(d.Place) == "":
			return Person{}, fmt.Errorf("%s.place: belum diisi", at)
		}
		seen[d.Dose] = true
		date, err := parseDate(d.Date, now)
		if err != nil {
			return Person{}, fmt.Errorf("%s.date: %v", at, err)
		}
		p.Doses = append(p.Doses, Dose{Dose: d.Dose, Date: date, Vaccine: strings.TrimSpace(d.Vaccine),
			Place: strings.TrimSpace(d.Place)})
	}
	p.Doses = sortedDoses(p.Doses)
	return p, nil
}

func parseDate(s string, now time.Time) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("tanggal %q bukan YYYY-MM-DD", s)
	}
	if d.After(now) {
		return time.Time{}, fmt.Errorf("tanggal %s belum terjadi", s)
	}
	return d, nil
}

// Import makes the record of p.NIK what p says, in one transaction: a new
// record, or the stored one with every field p gives (name, birth date,
// phone, doses) replacing it, each change audited. Importing the same
// person again is Unchanged and writes nothing. A phone held by another
// record is ErrPhoneTaken and changes nothing.
func (r *Postgres) Import(ctx context.Context, p Person, by Actor) (Outcome, error) {
	if err := validActor(by); err != nil {
		return "", err
	}
	var out Outcome
	err := r.st.WithTx(ctx, func(ctx context.Context) error {
		row, err := r.st.RegistryPersonByNIK(ctx, p.NIK, true)
		if ticket.ErrorCode(err) == ticket.ENOTFOUND {
			out = Created
			return r.create(ctx, p, by)
		}
		if err != nil {
			return err
		}
		changed, err := r.save(ctx, row.ID, toPerson(row), p, by)
		out = Unchanged
		if changed {
			out = Updated
		}
		return err
	})
	return out, err
}

func (r *Postgres) create(ctx context.Context, p Person, by Actor) error {
	if p.Phone != "" {
		if err := r.phoneFree(ctx, p.Phone, 0); err != nil {
			return err
		}
	}
	row := toStore(p)
	if err := r.st.CreateRegistryPerson(ctx, &row); err != nil {
		return domainErr(err)
	}
	return r.audit(ctx, row.ID, by, Person{}, p, "nik")
}

// LineError is a line of an import file that was not imported.
type LineError struct {
	Line int
	Err  error
}

// Error says the line and what is wrong with it, in Indonesian.
func (e LineError) Error() string { return fmt.Sprintf("baris %d: %v", e.Line, e.Err) }

// Unwrap returns what is wrong with the line.
func (e LineError) Unwrap() error { return e.Err }

// ImportReport counts what an import did, line by line.
type ImportReport struct {
	Created, Updated, Unchanged int
	Failed                      []LineError
}

// Changed reports whether the import changed the registry at all.
func (r ImportReport) Changed() bool { return r.Created+r.Updated > 0 }

// ImportFile imports every line of an import file (JSON lines, one person
// a line; blank lines skipped). Each line is its own transaction: a bad
// line is reported with its number, changes nothing, and the lines after
// it are still imported, so one typo in a national export of millions of
// lines does not hold back the rest and a rerun after fixing it changes
// only that line. It stops early only when the database fails (the error
// returned) or ctx ends.
func (r *Postgres) ImportFile(ctx context.Context, rd io.Reader, by Actor) (ImportReport, error) {
	var rep ImportReport
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 0, 4096), MaxLine)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		p, err := ParseLine(line, r.now())
		if err != nil {
			rep.Failed = append(rep.Failed, LineError{Line: n, Err: err})
			continue
		}
		out, err := r.Import(ctx, p, by)
		switch {
		case errors.Is(err, ErrPhoneTaken):
			rep.Failed = append(rep.Failed, LineError{Line: n, Err: errors.New("phone: nomor sudah terdaftar pada NIK lain")})
			continue
		case err != nil && (errors.Is(err, store.ErrUnavailable) || ctx.Err() != nil):
			return rep, fmt.Errorf("baris %d: %w", n, err)
		case err != nil:
			rep.Failed = append(rep.Failed, LineError{Line: n, Err: err})
			continue
		}
		switch out {
		case Created:
			rep.Created++
		case Updated:
			rep.Updated++
		default:
			rep.Unchanged++
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return rep, fmt.Errorf("baris %d: lebih dari %d byte", n+1, MaxLine)
		}
		return rep, fmt.Errorf("baca berkas: %w", err)
	}
	return rep, nil
}
