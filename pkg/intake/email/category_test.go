package email

import (
	"strings"
	"testing"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestCategoryRulesShipped(t *testing.T) {
	rules, err := ParseCategoryRules(configs.Categories)
	if err != nil {
		t.Fatalf("ParseCategoryRules(configs/categories.yaml): %v", err)
	}
	tests := []struct {
		name, text string
		want       ticket.Category
	}{
		{"certificate missing", "Sertifikat vaksin dosis kedua saya BELUM KELUAR padahal sudah 2 minggu.", ticket.CategoryCertificateMissing},
		{"certificate missing, spread over lines", "sertifikat saya tidak\n  muncul di aplikasi", ticket.CategoryCertificateMissing},
		{"certificate missing, not issued", "Sertifikat booster belum terbit.", ticket.CategoryCertificateMissing},
		{"data error", "Tanggal vaksin salah, seharusnya 10 Juli 2021.", ticket.CategoryCertificateDataError},
		{"data error, dose", "Di sertifikat dosis salah, tertulis dosis 1 padahal dosis 2", ticket.CategoryCertificateDataError},
		{"personal data, name", "Mohon perbaikan nama, di sertifikat tertulis Muhamad.", ticket.CategoryPersonalDataChange},
		{"personal data, phone", "Saya mau ganti nomor HP karena nomor lama hilang.", ticket.CategoryPersonalDataChange},
		{"personal data, not as on KTP", "Nama di sertifikat tidak sesuai KTP.", ticket.CategoryPersonalDataChange},
		{"nik conflict", "NIK saya sudah digunakan orang lain.", ticket.CategoryNIKConflict},
		{"nik conflict, punctuation", "Kata aplikasinya: NIK, sudah terdaftar!", ticket.CategoryNIKConflict},
		{"vaccination status", "Mohon cek status vaksinasi saya.", ticket.CategoryVaccinationStatus},
		{"app issue, login", "Saya tidak bisa login ke aplikasi PeduliLindungi.", ticket.CategoryAppIssue},
		{"app issue, otp with suffix", "Kode OTP-nya lama sekali.", ticket.CategoryAppIssue},
		{"none", "Selamat pagi, saya mau bertanya jam layanan call center.", ticket.CategoryOther},
		{"empty", "", ticket.CategoryOther},

		// Several categories match: the first rule in the file wins, however
		// many keywords the later ones match.
		{"nik conflict over certificate missing", "NIK saya dipakai orang lain jadi sertifikat belum keluar, tidak muncul, belum terbit.", ticket.CategoryNIKConflict},
		{"data error over certificate missing", "Sertifikat dosis 2 tidak muncul karena jenis vaksin salah.", ticket.CategoryCertificateDataError},
		{"personal data over certificate missing", "Nama salah dan sertifikat belum muncul.", ticket.CategoryPersonalDataChange},
		{"certificate missing over status", "Cek status vaksin sudah lengkap tapi sertifikat belum keluar.", ticket.CategoryCertificateMissing},
		{"otp not arriving over certificate missing", "Kode OTP tidak keluar terus.", ticket.CategoryAppIssue},
		{"certificate missing over app issue", "Sertifikat tidak muncul, sudah coba login ulang tapi gagal login.", ticket.CategoryCertificateMissing},

		// Keywords start at a word; their end may run on.
		{"keyword inside a word does not match", "Kotpraja Bandung", ticket.CategoryOther},
		{"keyword with a suffix matches", "otpnya", ticket.CategoryAppIssue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rules.Guess(tt.text); got != tt.want {
				t.Errorf("Guess(%q) = %s, want %s", tt.text, got, tt.want)
			}
		})
	}
}

func TestCategoryRulesFileOrder(t *testing.T) {
	const text = "status vaksin saya tidak muncul, tidak muncul, tidak muncul"
	tests := []struct {
		name, yaml string
		want       ticket.Category
	}{
		{
			name: "first rule wins although the second matches more",
			yaml: "- category: vaccination_status\n  keywords: [status vaksin]\n- category: certificate_missing\n  keywords: [tidak muncul, muncul]\n",
			want: ticket.CategoryVaccinationStatus,
		},
		{
			name: "reversed file, reversed answer",
			yaml: "- category: certificate_missing\n  keywords: [tidak muncul, muncul]\n- category: vaccination_status\n  keywords: [status vaksin]\n",
			want: ticket.CategoryCertificateMissing,
		},
		{
			name: "a rule that does not match is passed over",
			yaml: "- category: app_issue\n  keywords: [otp]\n- category: vaccination_status\n  keywords: [status vaksin]\n",
			want: ticket.CategoryVaccinationStatus,
		},
		{
			name: "keywords are folded like the text",
			yaml: "- category: vaccination_status\n  keywords: [\"  STATUS,   Vaksin \"]\n",
			want: ticket.CategoryVaccinationStatus,
		},
		{
			name: "nothing matches",
			yaml: "- category: app_issue\n  keywords: [otp]\n",
			want: ticket.CategoryOther,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, err := ParseCategoryRules([]byte(tt.yaml))
			if err != nil {
				t.Fatalf("ParseCategoryRules: %v", err)
			}
			if got := rules.Guess(text); got != tt.want {
				t.Errorf("Guess = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseCategoryRulesErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		wantErr    []string
	}{
		{
			name:    "unknown categories are named",
			yaml:    "- category: certificate_mising\n  keywords: [belum keluar]\n- category: app_issue\n  keywords: [otp]\n- category: refund\n  keywords: [uang]\n",
			wantErr: []string{"unknown categories", `"certificate_mising"`, `"refund"`},
		},
		{name: "empty category", yaml: "- keywords: [otp]\n", wantErr: []string{"unknown categories", `""`}},
		{name: "unknown key", yaml: "- category: app_issue\n  keyword: [otp]\n", wantErr: []string{"keyword"}},
		{name: "no keywords", yaml: "- category: app_issue\n  keywords: []\n", wantErr: []string{"rule 1 (app_issue) has no keywords"}},
		{name: "blank keyword", yaml: "- category: app_issue\n  keywords: [otp, \" - \"]\n", wantErr: []string{"empty keyword"}},
		{name: "empty file", yaml: "", wantErr: []string{"no rules"}},
		{name: "only comments", yaml: "# nothing yet\n", wantErr: []string{"no rules"}},
		{name: "not a list", yaml: "category: app_issue\nkeywords: [otp]\n", wantErr: []string{"category rules"}},
		{name: "malformed", yaml: "- category: [app_issue\n", wantErr: []string{"category rules"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, err := ParseCategoryRules([]byte(tt.yaml))
			if err == nil {
				t.Fatalf("ParseCategoryRules = %v, want an error", rules)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestGuessNilRules(t *testing.T) {
	var rules *CategoryRules
	if got := rules.Guess("sertifikat belum keluar"); got != ticket.CategoryOther {
		t.Errorf("nil rules Guess = %s, want other", got)
	}
}
