package email

import (
	"testing"

	"github.com/aduan/aduan/configs"
)

func TestStem(t *testing.T) {
	r, err := newCategoryRules(configs.Words)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"dipakai": "pakai", "memakai": "pakai", "terpakai": "pakai", "digunakan": "guna", "menggunakan": "guna",
		"terdaftar": "daftar", "didaftarkan": "daftar", "pendaftaran": "daftar", "perubahan": "ubah", "mengubah": "ubah",
		"kesalahan": "salah", "salahnya": "salah", "diperbaiki": "baik", "perbaikan": "baik", "mengeluarkan": "keluar",
		"keluar": "keluar", "sertifikatnya": "sertifikat", "sertifikatna": "sertifikat", "menulis": "tulis",
		"tertulis": "tulis", "mengirim": "kirim", "dikirimkan": "kirim", "otpnya": "otp", "namanya": "nama",
		"belum": "belum", "sudah": "sudah", "nik": "nik", "vaksinasi": "vaksinasi", "pertanyaan": "tanya",
	}
	for word, want := range tests {
		if got := r.stem.stem(word); got != want {
			t.Errorf("stem(%q) = %q, want %q", word, got, want)
		}
	}
}

func TestCategoryMeaning(t *testing.T) {
	rules, err := ParseCategoryRules(configs.Categories)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       string
		alts       []string
	}{
		{"the issue's case", "Nama di sertifikat salah", "personal_data_change", nil},
		{"any order", "salah nama saya di sertifikat", "personal_data_change", nil},
		{"words between", "nama saya di sertifikat PeduliLindungi tidak sesuai", "personal_data_change", nil},
		{"informal", "serti sy blm muncul udh 2 minggu", "certificate_missing", nil},
		{"informal negation", "otp nya gak masuk2", "app_issue", nil},
		{"Javanese", "sertifikat kulo dereng medal", "certificate_missing", nil},
		{"Javanese, suffix", "jenengku kleru", "personal_data_change", nil},
		{"Sundanese", "sertifikat abdi teu acan kaluar", "certificate_missing", nil},
		{"Sundanese name", "nami abdi lepat", "personal_data_change", nil},
		{"stems", "NIK saya terpakai oleh orang lain", "nik_conflict", nil},
		{"too far apart", "Nama lengkap saya Budi Santoso bin Ahmad dari Kelurahan Cilandak, kemarin saya salah pilih jam", "other", nil},
		{"two complaints: the first rule and the other kept", "nama saya salah dan sertifikat booster belum muncul",
			"personal_data_change", []string{"certificate_missing"}},
		{"a vaccine brand corrected", "Di sertifikat tertulis vaksin Sinovac, seharusnya Pfizer", "certificate_data_error", nil},
		{"numbers joined, not clauses", "sertifikat dosis 1 dan 2 tidak ada", "certificate_missing", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, alts := rules.Classify(tt.text)
			var gotAlts []string
			for _, a := range alts {
				gotAlts = append(gotAlts, string(a))
			}
			if string(got) != tt.want || len(gotAlts) != len(tt.alts) || (len(tt.alts) > 0 && gotAlts[0] != tt.alts[0]) {
				t.Errorf("Classify(%q) = %s %v, want %s %v", tt.text, got, gotAlts, tt.want, tt.alts)
			}
		})
	}
}
