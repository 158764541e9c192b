package registry_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/registry"
	"github.com/aduan/aduan/pkg/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var importer = registry.Actor{Kind: registry.ActorImport, ID: "people.jsonl"}

func TestParseLine(t *testing.T) {
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	p, err := registry.ParseLine([]byte(`{"nik":"3201 0145 0885 0001","name":"  Siti   Aminah ","birth_date":"1985-08-05",`+
		`"phone":"0812-3456-7801","doses":[{"dose":2,"date":"2021-08-30","vaccine":"Sinovac","place":"Puskesmas"},`+
		`{"dose":1,"date":"2021-08-02","vaccine":"Sinovac","place":"Puskesmas"}]}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if p.NIK != "3201014508850001" || p.Name != "Siti Aminah" || p.Phone != "+6281234567801" ||
		p.BirthDate.Format(time.DateOnly) != "1985-08-05" || len(p.Doses) != 2 || p.Doses[0].Dose != 1 {
		t.Errorf("parsed %+v", p)
	}
	bad := []struct{ line, want string }{
		{`{"nik":"123","name":"A"}`, "nik"},
		{`{"nik":"3201014508850001","name":""}`, "name"},
		{`{"nik":"3201014508850001","name":"A","birth_date":"05-08-1985"}`, "birth_date"},
		{`{"nik":"3201014508850001","name":"A","birth_date":"2030-01-01"}`, "belum terjadi"},
		{`{"nik":"3201014508850001","name":"A","phone":"+1 555 0100"}`, "phone"},
		{`{"nik":"3201014508850001","name":"A","doses":[{"dose":0,"date":"2021-01-01","vaccine":"x","place":"y"}]}`, "doses[0].dose"},
		{`{"nik":"3201014508850001","name":"A","doses":[{"dose":1,"date":"2021-01-01","vaccine":"x","place":"y"},{"dose":1,"date":"2021-02-01","vaccine":"x","place":"y"}]}`, "dua kali"},
		{`{"nik":"3201014508850001","name":"A","doses":[{"dose":1,"date":"2021-01-01","vaccine":"","place":"y"}]}`, "vaccine"},
		{`{"nik":"3201014508850001","name":"A","nama":"B"}`, "nama"},
		{`{"nik":"3201014508850001","name":"A"} {}`, "lebih dari satu"},
	}
	for _, tt := range bad {
		t.Run(tt.want, func(t *testing.T) {
			if _, err := registry.ParseLine([]byte(tt.line), now); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseLine(%s) = %v, want an error naming %q", tt.line, err, tt.want)
			}
		})
	}
}

func TestImportFileIsIdempotent(t *testing.T) {
	st, dbURL := storetest.New(t)
	ctx := context.Background()
	reg := registry.NewPostgres(st)
	importOnce := func() registry.ImportReport {
		f, err := os.Open("testdata/people.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rep, err := reg.ImportFile(ctx, f, importer)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	first := importOnce()
	if first.Created != 3 || first.Updated != 0 || first.Unchanged != 0 {
		t.Errorf("first run: %+v", first)
	}
	// Lines 5 (short NIK), 6 (a phone already Siti's), 7 (a misspelt
	// field) and 8 (not JSON) fail, each named by its line; blank line 2
	// is no line at all.
	var lines []int
	for _, f := range first.Failed {
		lines = append(lines, f.Line)
	}
	if len(lines) != 4 || lines[0] != 5 || lines[1] != 6 || lines[2] != 7 || lines[3] != 8 {
		t.Fatalf("failed lines %v: %v", lines, first.Failed)
	}
	if !strings.Contains(first.Failed[1].Error(), "baris 6: phone") {
		t.Errorf("phone conflict reported as %q", first.Failed[1].Error())
	}
	if _, err := reg.ByNIK(ctx, "3201014508850009"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("the line whose phone is taken was stored: %v", err)
	}
	audits := storetest.Count(t, dbURL, `SELECT count(*) FROM registry_audit`)
	second := importOnce()
	if second.Changed() || second.Unchanged != 3 || len(second.Failed) != 4 {
		t.Errorf("second run changed something: %+v", second)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM registry_audit`); n != audits {
		t.Errorf("second run audited %d changes", n-audits)
	}
	p, err := reg.ByPhone(ctx, "0812 3456 7801")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Siti Aminah" || len(p.Doses) != 2 || p.Doses[1].Place != "Puskesmas Cibinong" ||
		p.Doses[1].Date.Format(time.DateOnly) != "2021-08-30" || p.BirthDate.Format(time.DateOnly) != "1985-08-05" {
		t.Errorf("Siti as stored: %+v", p)
	}
	if rina, err := reg.ByNIK(ctx, "3578015012920003"); err != nil || rina.Phone != "" || len(rina.Doses) != 0 {
		t.Errorf("Rina: %+v, %v", rina, err)
	}
}

func TestImportReplacesWhatTheLineSays(t *testing.T) {
	st, _ := storetest.New(t)
	ctx := context.Background()
	reg := registry.NewPostgres(st)
	in := strings.NewReader(`{"nik":"3171012304900002","name":"Agus Salim","phone":"081322223333","doses":[{"dose":1,"date":"2021-09-01","vaccine":"AstraZeneca","place":"RSUD Tarakan"}]}` + "\n")
	if _, err := reg.ImportFile(ctx, in, importer); err != nil {
		t.Fatal(err)
	}
	// The national system now has a second dose and a corrected name.
	in = strings.NewReader(`{"nik":"3171012304900002","name":"Agus Salim Wijaya","phone":"081322223333","doses":[{"dose":1,"date":"2021-09-01","vaccine":"AstraZeneca","place":"RSUD Tarakan"},{"dose":2,"date":"2021-11-24","vaccine":"AstraZeneca","place":"RSUD Tarakan"}]}` + "\n")
	rep, err := reg.ImportFile(ctx, in, importer)
	if err != nil || rep.Updated != 1 {
		t.Fatalf("update: %+v, %v", rep, err)
	}
	p, err := reg.ByNIK(ctx, "3171012304900002")
	if err != nil || p.Name != "Agus Salim Wijaya" || len(p.Doses) != 2 {
		t.Fatalf("after update: %+v, %v", p, err)
	}
	changes, err := reg.Changes(ctx, p.NIK)
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, c := range changes {
		fields = append(fields, c.Field)
		if c.By != importer {
			t.Errorf("change by %+v", c.By)
		}
	}
	if strings.Join(fields, ",") != "nik,name,doses" {
		t.Errorf("audited fields %v", fields)
	}
	if last := changes[2]; last.Old != "1 dosis, terakhir 2021-09-01" || last.New != "2 dosis, terakhir 2021-11-24" {
		t.Errorf("doses audited as %q → %q", last.Old, last.New)
	}
}
