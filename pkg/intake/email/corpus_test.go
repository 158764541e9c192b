package email

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/ticket"
)

// corpusCase is one mail of testdata/corpus and what a person reading it
// finds: the complainant's fields (normalised), the category, and a phrase
// of the complaint.
type corpusCase struct {
	file                                     string
	name, nik, place, birth, phone, category string
	complaint                                string
}

func readCorpus(t testing.TB) []corpusCase {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "corpus", "expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 8 {
			t.Fatalf("expected.tsv: %d columns in %q, want 8", len(c), line)
		}
		cases = append(cases, corpusCase{c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// corpusResult reads one corpus mail as the adapter does.
func corpusResult(t testing.TB, rules *CategoryRules, file string) (corpusCase, []ticket.Category) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "corpus", file))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	form := extractForm(m.Text, testNow)
	got := corpusCase{file: file, complaint: form.Complaint, place: strings.Join(strings.Fields(form.BirthPlace), " ")}
	if n, err := ticket.NormalizeName(form.Name); err == nil {
		got.name = n
	}
	if _, err := ticket.ParseNIK(form.NIK, testNow); err == nil {
		got.nik = ticket.NormalizeNIK(form.NIK)
	}
	if p, err := ticket.NormalizePhone(form.Phone); err == nil {
		got.phone = p
	}
	if form.BirthDate != nil {
		got.birth = form.BirthDate.Format("2006-01-02")
	}
	c, alts := rules.Classify(m.Subject + "\n" + form.Complaint)
	got.category = string(c)
	return got, alts
}

// signatures must never reach the complaint the acknowledgement quotes.
var corpusSignatures = []string{"Dikirim dari", "Sent from", "Get Outlook", "Dapatkan Outlook", "Awal pesan", "Forwarded message", "menulis:"}

// TestCorpus reads every mail of testdata/corpus and prints how many
// fields and categories come out as a person reads them. Targets: 98% of
// fields, 95% of categories.
func TestCorpus(t *testing.T) {
	rules, err := ParseCategoryRules(configs.Categories)
	if err != nil {
		t.Fatal(err)
	}
	cases := readCorpus(t)
	var fields, fieldsRight, catsRight int
	for _, want := range cases {
		got, alts := corpusResult(t, rules, want.file)
		// Names compare whatever their case: a name in capitals is read right.
		wantName, _ := ticket.NormalizeName(want.name)
		for _, f := range []struct{ what, got, want string }{
			{"name", strings.ToLower(got.name), strings.ToLower(wantName)}, {"nik", got.nik, want.nik}, {"birth place", strings.ToLower(got.place), strings.ToLower(want.place)},
			{"birth date", got.birth, want.birth}, {"phone", got.phone, want.phone},
			{"complaint", complaintRight(got.complaint, want.complaint), "ok"},
		} {
			fields++
			if f.got == f.want {
				fieldsRight++
			} else {
				t.Logf("%s: %s = %q, want %q", want.file, f.what, f.got, f.want)
			}
		}
		if got.category == want.category {
			catsRight++
		} else {
			t.Logf("%s: category %s (alternatives %v), want %s; complaint %q", want.file, got.category, alts, want.category, got.complaint)
		}
	}
	fieldAcc := float64(fieldsRight) / float64(fields) * 100
	catAcc := float64(catsRight) / float64(len(cases)) * 100
	t.Logf("corpus: %d mails; fields %d/%d right (%.1f%%); categories %d/%d right (%.1f%%)",
		len(cases), fieldsRight, fields, fieldAcc, catsRight, len(cases), catAcc)
	if len(cases) < 50 {
		t.Errorf("corpus has %d mails, want at least 50", len(cases))
	}
	if fieldAcc < 98 {
		t.Errorf("field accuracy %.1f%%, want at least 98%%", fieldAcc)
	}
	if catAcc < 95 {
		t.Errorf("category accuracy %.1f%%, want at least 95%%", catAcc)
	}
}

// complaintRight says "ok" when the complaint holds the expected phrase
// and no signature or quoted-history line, else what is wrong.
func complaintRight(got, phrase string) string {
	if !strings.Contains(strings.ToLower(got), strings.ToLower(phrase)) {
		return "missing " + phrase + " in " + got
	}
	for _, s := range corpusSignatures {
		if strings.Contains(got, s) {
			return "holds " + s + ": " + got
		}
	}
	return "ok"
}

// BenchmarkCorpus is the per-mail cost of reading the form and guessing
// the category, over the corpus (MIME parsing left out: the mail drain
// benchmark covers it).
func BenchmarkCorpus(b *testing.B) {
	rules, err := ParseCategoryRules(configs.Categories)
	if err != nil {
		b.Fatal(err)
	}
	var texts, subjects []string
	for _, c := range readCorpus(b) {
		raw, err := os.ReadFile(filepath.Join("testdata", "corpus", c.file))
		if err != nil {
			b.Fatal(err)
		}
		m, err := Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		texts, subjects = append(texts, m.Text), append(subjects, m.Subject)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := i % len(texts)
		form := extractForm(texts[k], testNow)
		rules.Classify(subjects[k] + "\n" + form.Complaint)
	}
}

// FuzzExtractForm reads any text as a form and a category without
// panicking, and finds no NIK whose digits are not in the text, in order.
func FuzzExtractForm(f *testing.F) {
	rules, err := ParseCategoryRules(configs.Categories)
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range readCorpus(f) {
		raw, err := os.ReadFile(filepath.Join("testdata", "corpus", c.file))
		if err != nil {
			f.Fatal(err)
		}
		if m, err := Parse(raw); err == nil {
			f.Add(m.Text)
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		form := extractForm(text, testNow)
		if form.NIK != "" && !strings.Contains(digitsOf(text), digitsOf(form.NIK)) {
			t.Errorf("NIK %q is not in the text %q", form.NIK, text)
		}
		rules.Classify(text)
	})
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
