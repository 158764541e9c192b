package ticket

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// validationNow is the fixed "now" of the field-rule tests.
var validationNow = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func ymd(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// wantEINVALID fails unless err is an EINVALID *Error without Fields whose
// message contains msg.
func wantEINVALID(t *testing.T, err error, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if e.Code != EINVALID || len(e.Fields) != 0 || !strings.Contains(e.Message, msg) {
		t.Fatalf("err = %v, want EINVALID without fields containing %q", err, msg)
	}
}

func TestParseNIK(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		now     time.Time // zero means validationNow
		want    NIKInfo
		wantErr string
	}{
		{name: "man", in: "3201012304850001",
			want: NIKInfo{Province: "32", Regency: "01", District: "01", BirthDate: ymd(1985, 4, 23), Serial: "0001"}},
		{name: "spaces stripped", in: "3201 0123 0485 0001",
			want: NIKInfo{Province: "32", Regency: "01", District: "01", BirthDate: ymd(1985, 4, 23), Serial: "0001"}},
		{name: "dots stripped", in: "3201.0123.0485.0001",
			want: NIKInfo{Province: "32", Regency: "01", District: "01", BirthDate: ymd(1985, 4, 23), Serial: "0001"}},
		{name: "dashes, tab and nbsp stripped", in: " 3201-0123\t0485\u00a00001\n",
			want: NIKInfo{Province: "32", Regency: "01", District: "01", BirthDate: ymd(1985, 4, 23), Serial: "0001"}},
		{name: "woman", in: "3201016304850002",
			want: NIKInfo{Province: "32", Regency: "01", District: "01", BirthDate: ymd(1985, 4, 23), Female: true, Serial: "0002"}},
		{name: "man day 01", in: "3171020101900123",
			want: NIKInfo{Province: "31", Regency: "71", District: "02", BirthDate: ymd(1990, 1, 1), Serial: "0123"}},
		{name: "man day 31", in: "3171023101900123",
			want: NIKInfo{Province: "31", Regency: "71", District: "02", BirthDate: ymd(1990, 1, 31), Serial: "0123"}},
		{name: "woman day 41", in: "3171024101900123",
			want: NIKInfo{Province: "31", Regency: "71", District: "02", BirthDate: ymd(1990, 1, 1), Female: true, Serial: "0123"}},
		{name: "woman day 71", in: "3171027101900123",
			want: NIKInfo{Province: "31", Regency: "71", District: "02", BirthDate: ymd(1990, 1, 31), Female: true, Serial: "0123"}},
		{name: "29 Feb 2000 is a leap day", in: "3201012902000001",
			want: NIKInfo{Province: "32", Regency: "01", District: "01", BirthDate: ymd(2000, 2, 29), Serial: "0001"}},
		{name: "29 Feb 04 resolves to 2004", in: "3201016902040001",
			want: NIKInfo{Province: "32", Regency: "01", District: "01", BirthDate: ymd(2004, 2, 29), Female: true, Serial: "0001"}},
		{name: "yy 26 on or before now is 2026", in: "3201012211260001",
			want: NIKInfo{Province: "32", Regency: "01", District: "01", BirthDate: ymd(2026, 11, 22), Serial: "0001"}},
		{name: "yy 26 after now is 1926", in: "3201012311260001",
			want: NIKInfo{Province: "32", Regency: "01", District: "01", BirthDate: ymd(1926, 11, 23), Serial: "0001"}},
		{name: "yy 00 is 2000", in: "3201010101000001",
			want: NIKInfo{Province: "32", Regency: "01", District: "01", BirthDate: ymd(2000, 1, 1), Serial: "0001"}},
		{name: "yy 99 is 1999", in: "3201013112990001",
			want: NIKInfo{Province: "32", Regency: "01", District: "01", BirthDate: ymd(1999, 12, 31), Serial: "0001"}},
		{name: "yy 99 with an early now", in: "3201012211990001", now: ymd(1999, 11, 22),
			want: NIKInfo{Province: "32", Regency: "01", District: "01", BirthDate: ymd(1999, 11, 22), Serial: "0001"}},
		{name: "now's calendar day counts, not its hour", in: "3201012211260001", now: time.Date(2026, 11, 22, 23, 59, 0, 0, Jakarta),
			want: NIKInfo{Province: "32", Regency: "01", District: "01", BirthDate: ymd(2026, 11, 22), Serial: "0001"}},
		{name: "newest Papua province is known", in: "9601012304850001",
			want: NIKInfo{Province: "96", Regency: "01", District: "01", BirthDate: ymd(1985, 4, 23), Serial: "0001"}},
		{name: "Kepulauan Riau is known", in: "2171012304850001",
			want: NIKInfo{Province: "21", Regency: "71", District: "01", BirthDate: ymd(1985, 4, 23), Serial: "0001"}},
		{name: "unknown province warns", in: "9901012304850001",
			want: NIKInfo{Province: "99", Regency: "01", District: "01", BirthDate: ymd(1985, 4, 23), Serial: "0001",
				Warnings: []string{AreaWarning}}},
		{name: "gap in province codes warns", in: "2001012304850001",
			want: NIKInfo{Province: "20", Regency: "01", District: "01", BirthDate: ymd(1985, 4, 23), Serial: "0001",
				Warnings: []string{AreaWarning}}},
		{name: "regency 00 warns", in: "3200012304850001",
			want: NIKInfo{Province: "32", Regency: "00", District: "01", BirthDate: ymd(1985, 4, 23), Serial: "0001",
				Warnings: []string{AreaWarning}}},
		{name: "district 00 warns", in: "3201002304850001",
			want: NIKInfo{Province: "32", Regency: "01", District: "00", BirthDate: ymd(1985, 4, 23), Serial: "0001",
				Warnings: []string{AreaWarning}}},
		{name: "every area unknown warns once", in: "0000002304850001",
			want: NIKInfo{Province: "00", Regency: "00", District: "00", BirthDate: ymd(1985, 4, 23), Serial: "0001",
				Warnings: []string{AreaWarning}}},

		{name: "empty", in: "", wantErr: "NIK belum diisi"},
		{name: "separators only", in: " - . ", wantErr: "NIK belum diisi"},
		{name: "15 digits", in: "320101230485001", wantErr: "NIK harus 16 digit angka (terisi 15 digit)"},
		{name: "17 digits", in: "32010123048500011", wantErr: "NIK harus 16 digit angka (terisi 17 digit)"},
		{name: "letter", in: "32010123048500A1", wantErr: "NIK harus 16 digit angka"},
		{name: "letter O for zero", in: "3201O12304850001", wantErr: "NIK harus 16 digit angka"},
		{name: "other separator", in: "3201/0123/0485/0001", wantErr: "NIK harus 16 digit angka"},
		{name: "non-ASCII digits", in: "３２０１０１２３０４８５０００１", wantErr: "NIK harus 16 digit angka"},
		{name: "day 00", in: "3201010004850001", wantErr: "tanggal lahir dalam NIK tidak valid"},
		{name: "day 32", in: "3201013204850001", wantErr: "tanggal lahir dalam NIK tidak valid"},
		{name: "day 40", in: "3201014004850001", wantErr: "tanggal lahir dalam NIK tidak valid"},
		{name: "day 72", in: "3201017204850001", wantErr: "tanggal lahir dalam NIK tidak valid"},
		{name: "month 00", in: "3201012300850001", wantErr: "tanggal lahir dalam NIK tidak valid"},
		{name: "month 13", in: "3201012313850001", wantErr: "tanggal lahir dalam NIK tidak valid"},
		{name: "31 Feb", in: "3201013102850001", wantErr: "tanggal lahir dalam NIK tidak valid"},
		{name: "31 Feb for a woman", in: "3201017102850001", wantErr: "tanggal lahir dalam NIK tidak valid"},
		{name: "31 Apr", in: "3201013104850001", wantErr: "tanggal lahir dalam NIK tidak valid"},
		{name: "29 Feb in 1985/2085", in: "3201012902850001", wantErr: "tanggal lahir dalam NIK tidak valid"},
		{name: "29 Feb in 1901/2001", in: "3201012902010001", wantErr: "tanggal lahir dalam NIK tidak valid"},
		{name: "29 Feb 00 before 2000 (1900 is no leap year)", in: "3201012902000001", now: ymd(1999, 11, 22),
			wantErr: "tanggal lahir dalam NIK ada di masa depan"},
		{name: "future in both centuries", in: "3201012311990001", now: ymd(1999, 11, 22),
			wantErr: "tanggal lahir dalam NIK ada di masa depan"},
		{name: "serial 0000", in: "3201012304850000", wantErr: "nomor urut NIK tidak boleh 0000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.now
			if now.IsZero() {
				now = validationNow
			}
			got, err := ParseNIK(tt.in, now)
			if tt.wantErr != "" {
				wantEINVALID(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("ParseNIK(%q) error: %v", tt.in, err)
			}
			w := tt.want
			if got.Province != w.Province || got.Regency != w.Regency || got.District != w.District ||
				!got.BirthDate.Equal(w.BirthDate) || got.Female != w.Female || got.Serial != w.Serial ||
				!slices.Equal(got.Warnings, w.Warnings) {
				t.Errorf("ParseNIK(%q) =\n %+v, want\n %+v", tt.in, got, w)
			}
		})
	}
}

func TestNormalizeNIK(t *testing.T) {
	tests := []struct{ in, want string }{
		{"3201012304850001", "3201012304850001"},
		{"3201 0123 0485 0001", "3201012304850001"},
		{"3201.0123-0485 0001\n", "3201012304850001"},
		{"32A1", "32A1"}, // not validated
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := NormalizeNIK(tt.in); got != tt.want {
				t.Errorf("NormalizeNIK(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNIKInfoMatchesBirthDate(t *testing.T) {
	man, err := ParseNIK("3201012304850001", validationNow)
	if err != nil {
		t.Fatal(err)
	}
	woman, err := ParseNIK("3201016304850002", validationNow)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		nik  NIKInfo
		d    time.Time
		want bool
	}{
		{"same date", man, ymd(1985, 4, 23), true},
		{"woman's day minus 40", woman, ymd(1985, 4, 23), true},
		{"other century, same 2-digit year", man, ymd(2085, 4, 23), true},
		{"date in another zone read in that zone", man, time.Date(1985, 4, 23, 23, 0, 0, 0, Jakarta), true},
		{"other day", man, ymd(1985, 4, 24), false},
		{"other month", man, ymd(1985, 5, 23), false},
		{"other year", man, ymd(1986, 4, 23), false},
		{"day and month swapped", man, ymd(1985, 4, 4), false},
		{"zero NIKInfo matches nothing", NIKInfo{}, ymd(2001, 1, 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.nik.MatchesBirthDate(tt.d); got != tt.want {
				t.Errorf("MatchesBirthDate(%s) = %v, want %v", tt.d.Format(time.DateOnly), got, tt.want)
			}
		})
	}
}
