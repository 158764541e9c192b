package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/store/storetest"
)

func TestRegistryImport(t *testing.T) {
	_, dbURL := storetest.New(t)
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("ADUAN_DATA_DIR", t.TempDir())
	file := filepath.Join(t.TempDir(), "orang.jsonl")
	lines := `{"nik":"3201014508850001","name":"Siti Aminah","phone":"081234567801","doses":[{"dose":1,"date":"2021-08-02","vaccine":"Sinovac","place":"Puskesmas Cibinong"}]}
{"nik":"3171012304900002","name":"Agus Salim","birth_date":"23-04-1990"}
{"nik":"3578015012920003","name":"Rina Wulandari"}
`
	if err := os.WriteFile(file, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := aduan(t, "", "registry", "import", file)
	if err == nil || !strings.Contains(err.Error(), "1 line(s) refused") {
		t.Errorf("a bad line must fail the run: %v", err)
	}
	if !strings.Contains(out, "baris 2: birth_date") || !strings.Contains(out, "2 created, 0 updated, 0 unchanged, 1 refused") {
		t.Errorf("first run said:\n%s", out)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM registry_people`); n != 2 {
		t.Errorf("%d people stored, want the 2 good lines", n)
	}
	// Fixed, the file is run again: only the fixed line changes.
	if err := os.WriteFile(file, []byte(strings.Replace(lines, "23-04-1990", "1990-04-23", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err = aduan(t, "", "registry", "import", file); err != nil || !strings.Contains(out, "1 created, 0 updated, 2 unchanged, 0 refused") {
		t.Errorf("second run: %v\n%s", err, out)
	}
	if out, err = aduan(t, "", "registry", "import", file); err != nil || !strings.Contains(out, "nothing changed: 3 already as the file says") {
		t.Errorf("third run: %v\n%s", err, out)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM registry_audit WHERE actor_kind = 'import' AND actor_id = 'orang.jsonl'`); n != 3 {
		t.Errorf("%d audit entries, want one creation per person", n)
	}
	if _, err := aduan(t, "", "registry", "import"); err == nil {
		t.Error("no file: no usage error")
	}
}

func TestSeedDemoPeople(t *testing.T) {
	_, dbURL := storetest.New(t)
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("ADUAN_DATA_DIR", t.TempDir())
	out, err := aduan(t, "", "seed", "--demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"081234567801", "Siti Aminah", "NIK 3201014508850001", "0857", "Rina Wulandari", "nik_conflict"} {
		if !strings.Contains(out, want) {
			t.Errorf("seed output lacks %q:\n%s", want, out)
		}
	}
	audits := storetest.Count(t, dbURL, `SELECT count(*) FROM registry_audit`)
	if _, err := aduan(t, "", "seed", "--demo"); err != nil {
		t.Fatal(err)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM registry_audit`); n != audits {
		t.Errorf("seeding again the same day audited %d changes", n-audits)
	}
	// The stories hold: Siti complete, Budi's last dose 3 days ago, Dewi
	// registered 14 days ago with no dose, Rina's KTP NIK held by Rudi.
	for _, c := range []struct{ what, sql string }{
		{"Siti has 3 doses", `SELECT count(*) FROM registry_doses d JOIN registry_people p ON p.id = d.person_id
			WHERE p.phone = '+6281234567801'`},
		{"Budi's last dose is 3 days ago", `SELECT (current_date - max(d.date)) FROM registry_doses d
			JOIN registry_people p ON p.id = d.person_id WHERE p.name = 'Budi Santoso'`},
		{"Dewi registered 14 days ago", `SELECT (current_date - created_at::date) FROM registry_people WHERE name = 'Dewi Lestari'
			AND NOT EXISTS (SELECT 1 FROM registry_doses WHERE person_id = registry_people.id)`},
		{"Rudi holds Rina's KTP NIK", `SELECT count(*) FROM registry_people WHERE nik = '3578015012920003' AND name = 'Rudi Hartono'`},
	} {
		want := map[string]int{"Siti has 3 doses": 3, "Budi's last dose is 3 days ago": 3, "Dewi registered 14 days ago": 14,
			"Rudi holds Rina's KTP NIK": 1}[c.what]
		if got := storetest.Count(t, dbURL, c.sql); got != want {
			t.Errorf("%s: got %d", c.what, got)
		}
	}
}
