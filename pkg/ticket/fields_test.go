package ticket

import (
	"strings"
	"testing"
	"time"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "kept as is", in: "Ni Luh Putu Ayu", want: "Ni Luh Putu Ayu"},
		{name: "trimmed and collapsed", in: "  Budi   Santoso  ", want: "Budi Santoso"},
		{name: "tabs, newlines and nbsp collapse", in: "Siti\tNur\nAisyah\u00a0Putri\r\n", want: "Siti Nur Aisyah Putri"},
		{name: "punctuation and accents", in: "O'Brien-Dédé, S.Kom.", want: "O'Brien-Dédé, S.Kom."},
		{name: "single letter", in: "A", want: "A"},
		{name: "100 runes", in: strings.Repeat("é", 100), want: strings.Repeat("é", 100)},
		{name: "100 runes after collapsing", in: "  " + strings.Repeat("a", 50) + "    " + strings.Repeat("b", 49), want: strings.Repeat("a", 50) + " " + strings.Repeat("b", 49)},

		{name: "empty", in: "", wantErr: "nama belum diisi"},
		{name: "blank", in: " \t\n ", wantErr: "nama belum diisi"},
		{name: "101 runes", in: strings.Repeat("é", 101), wantErr: "nama terlalu panjang"},
		{name: "NUL", in: "Budi\x00Santoso", wantErr: "karakter yang tidak boleh"},
		{name: "escape", in: "Budi\x1b[31m", wantErr: "karakter yang tidak boleh"},
		{name: "right-to-left override", in: "Budi\u202eosotnaS", wantErr: "karakter yang tidak boleh"},
		{name: "zero-width space", in: "Bu\u200bdi", wantErr: "karakter yang tidak boleh"},
		{name: "invalid UTF-8", in: "Budi\xff", wantErr: "karakter yang tidak boleh"},
		{name: "digits only", in: "3201012304850001", wantErr: "nama harus berisi huruf"},
		{name: "punctuation only", in: "- . -", wantErr: "nama harus berisi huruf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeName(tt.in)
			if tt.wantErr != "" {
				wantEINVALID(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("NormalizeName(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	local64 := strings.Repeat("a", 64)
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "plain", in: "budi@example.com", want: "budi@example.com"},
		{name: "domain lowercased, local part kept", in: "Budi.Santoso@Example.CO.ID", want: "Budi.Santoso@example.co.id"},
		{name: "display name", in: "Budi Santoso <budi@Example.com>", want: "budi@example.com"},
		{name: "quoted display name", in: `"Santoso, Budi" <budi@example.com>`, want: "budi@example.com"},
		{name: "angle brackets only", in: "<budi@example.com>", want: "budi@example.com"},
		{name: "surrounding space", in: "  budi@example.com\n", want: "budi@example.com"},
		{name: "plus tag", in: "budi+vaksin@example.com", want: "budi+vaksin@example.com"},
		{name: "254 chars", in: local64 + "@" + strings.Repeat("d", 185) + ".com", want: local64 + "@" + strings.Repeat("d", 185) + ".com"},

		{name: "empty", in: "", wantErr: "email belum diisi"},
		{name: "blank", in: "   ", wantErr: "email belum diisi"},
		{name: "no at", in: "budi", wantErr: "alamat email tidak valid"},
		{name: "no domain", in: "budi@", wantErr: "alamat email tidak valid"},
		{name: "no local part", in: "@example.com", wantErr: "alamat email tidak valid"},
		{name: "garbage", in: "kirim ke email saya ya", wantErr: "alamat email tidak valid"},
		{name: "two at signs", in: "budi@@example.com", wantErr: "alamat email tidak valid"},
		{name: "two addresses with comma", in: "a@example.com, b@example.com", wantErr: "alamat email tidak valid"},
		{name: "two addresses with space", in: "a@example.com b@example.com", wantErr: "alamat email tidak valid"},
		{name: "empty group", in: "undisclosed-recipients:;", wantErr: "alamat email tidak valid"},
		{name: "255 chars", in: local64 + "@" + strings.Repeat("d", 186) + ".com", wantErr: "alamat email terlalu panjang"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeEmail(tt.in)
			if tt.wantErr != "" {
				wantEINVALID(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("NormalizeEmail(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeEmail(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseBirthDate(t *testing.T) {
	tests := []struct {
		name, in string
		now      time.Time // zero means validationNow
		want     time.Time
		wantErr  string
	}{
		{name: "date", in: "1985-04-23", want: ymd(1985, 4, 23)},
		{name: "leap day", in: "2000-02-29", want: ymd(2000, 2, 29)},
		{name: "1900-01-01 is the earliest", in: "1900-01-01", want: ymd(1900, 1, 1)},
		{name: "today", in: "2026-11-22", want: ymd(2026, 11, 22)},
		{name: "today, whatever now's hour and zone", in: "2026-11-22", now: time.Date(2026, 11, 22, 0, 30, 0, 0, Jakarta), want: ymd(2026, 11, 22)},

		{name: "empty", in: "", wantErr: "TAHUN-BULAN-TANGGAL"},
		{name: "day first", in: "23-04-1985", wantErr: "TAHUN-BULAN-TANGGAL"},
		{name: "slashes", in: "1985/04/23", wantErr: "TAHUN-BULAN-TANGGAL"},
		{name: "no zero padding", in: "1985-4-23", wantErr: "TAHUN-BULAN-TANGGAL"},
		{name: "with time", in: "1985-04-23T00:00:00Z", wantErr: "TAHUN-BULAN-TANGGAL"},
		{name: "surrounding space", in: " 1985-04-23", wantErr: "TAHUN-BULAN-TANGGAL"},
		{name: "letters", in: "abcd-ef-gh", wantErr: "TAHUN-BULAN-TANGGAL"},
		{name: "signed year", in: "+985-04-23", wantErr: "TAHUN-BULAN-TANGGAL"},
		{name: "30 Feb", in: "1985-02-30", wantErr: "tidak ada di kalender"},
		{name: "29 Feb in a common year", in: "1985-02-29", wantErr: "tidak ada di kalender"},
		{name: "month 13", in: "1985-13-01", wantErr: "tidak ada di kalender"},
		{name: "month 00", in: "1985-00-10", wantErr: "tidak ada di kalender"},
		{name: "day 00", in: "1985-04-00", wantErr: "tidak ada di kalender"},
		{name: "tomorrow", in: "2026-11-23", wantErr: "tanggal lahir ada di masa depan"},
		{name: "before 1900", in: "1899-12-31", wantErr: "sebelum tahun 1900"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.now
			if now.IsZero() {
				now = validationNow
			}
			got, err := ParseBirthDate(tt.in, now)
			if tt.wantErr != "" {
				wantEINVALID(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("ParseBirthDate(%q) error: %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseBirthDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
