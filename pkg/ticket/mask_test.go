package ticket

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMaskNIK(t *testing.T) {
	tests := []struct{ in, want string }{
		{"3201014508850001", "**************01"},
		{"9901012304850100", "**************00"},
		{"", ""},
		{"320101450885001", "****************"},
		{"32010145088500011", "****************"},
	}
	for _, tt := range tests {
		if got := MaskNIK(tt.in); got != tt.want {
			t.Errorf("MaskNIK(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// nikView is what a ticket or complainant response tells about a NIK
// without revealing it: the masked NIK and its area warnings, the birth date
// the complainant gave (with the ticket's warning when the NIK's date
// disagrees with it), and the sex, which a name or a greeting gives away.
// The area codes are known only through the mask and the warnings: the
// birth place is a place name, and a NIK keeps the area where it was first
// issued. (Were the regency known too, no mask could leave a million: the
// district and the serial alone make 100 × 9,999.)
type nikView struct {
	masked, warnings string
	birth            *time.Time // nil: no birth date in the response
	birthMatches     bool       // no "date disagrees" warning on the ticket
	female           *bool      // nil: the response does not give the sex away
}

func viewOf(t *testing.T, nik string, birth *time.Time, sexKnown bool) nikView {
	t.Helper()
	info, err := ParseNIK(nik, validationNow)
	if err != nil {
		t.Fatalf("ParseNIK(%s): %v", nik, err)
	}
	v := nikView{masked: MaskNIK(nik), warnings: strings.Join(info.Warnings, "|"), birth: birth}
	if birth != nil {
		v.birthMatches = info.MatchesBirthDate(*birth)
	}
	if sexKnown {
		v.female = &info.Female
	}
	return v
}

// nikSegments are the NIK rules' verdicts on each part of a NIK, computed
// once: the area (6 digits) and the birth date (6 digits) each over every
// value, with the other parts held valid. The rules judge each part on its
// own (the area only warns, the date is checked alone, the serial must not
// be 0000), so the NIKs that fit a view are the product of the parts that
// fit it.
type nikSegments struct {
	areas []nikArea // every area part, 000000–999999
	dates []nikDate // every valid date part
}

type nikArea struct{ digits, warnings string }

type nikDate struct {
	digits string
	info   NIKInfo
}

var segments = sync.OnceValue(func() nikSegments {
	s := nikSegments{areas: make([]nikArea, 1_000_000)}
	for a := range s.areas {
		digits := sixDigits(a)
		info, err := ParseNIK(digits+"0101900001", validationNow)
		if err != nil {
			panic(err) // the area alone never makes a NIK invalid
		}
		s.areas[a] = nikArea{digits, strings.Join(info.Warnings, "|")}
	}
	for d := range 1_000_000 {
		digits := sixDigits(d)
		if info, err := ParseNIK("320101"+digits+"0001", validationNow); err == nil {
			s.dates = append(s.dates, nikDate{digits, info})
		}
	}
	return s
})

func sixDigits(n int) string {
	b := []byte("000000")
	for i := 5; i >= 0 && n > 0; i, n = i-1, n/10 {
		b[i] = byte('0' + n%10)
	}
	return string(b)
}

// candidates counts the NIKs valid by ParseNIK that a response about nik
// fits, i.e. how many guesses rebuilding it takes.
func candidates(nik string, v nikView) int {
	seg := segments()
	area, date, serial := nik[0:6], nik[6:12], nik[12:16]
	areas := 0
	for _, a := range seg.areas {
		if a.warnings == v.warnings && MaskNIK(a.digits+date+serial) == v.masked {
			areas++
		}
	}
	dates := 0
	for _, d := range seg.dates {
		if v.female != nil && d.info.Female != *v.female {
			continue
		}
		if v.birth != nil && d.info.MatchesBirthDate(*v.birth) != v.birthMatches {
			continue
		}
		if MaskNIK(area+d.digits+serial) == v.masked {
			dates++
		}
	}
	serials := 0
	for s := 1; s <= 9999; s++ {
		if MaskNIK(area+date+fmt.Sprintf("%04d", s)) == v.masked {
			serials++
		}
	}
	return areas * dates * serials
}

// TestMaskedNIKCandidates checks the property the mask exists for: with
// everything else a response carries, a masked NIK still fits at least a
// million valid NIKs, so it cannot be rebuilt by guessing.
func TestMaskedNIKCandidates(t *testing.T) {
	born := func(y int, m time.Month, d int) *time.Time { day := ymd(y, m, d); return &day }
	tests := []struct {
		name     string
		nik      string
		birth    *time.Time
		sexKnown bool
	}{
		{"man, known area, birth date and sex given", "3201012304850001", born(1985, 4, 23), true},
		{"woman, known area, birth date and sex given", "3201016304850002", born(1985, 4, 23), true},
		{"serial ending 00", "3171020101900100", born(1990, 1, 1), true},
		{"woman born this year", "3273015111260001", born(2026, 11, 11), true},
		{"unknown province", "9901012304850001", born(1985, 4, 23), true},
		{"regency 00", "3200016304850001", born(1985, 4, 23), true},
		{"district 00", "3201002304850001", born(1985, 4, 23), true},
		{"every area code unknown", "0000002304850001", born(1985, 4, 23), true},
		{"birth date disagrees with the NIK", "3201012304850001", born(1986, 1, 1), true},
		{"no birth date, sex unknown", "3201012304850001", nil, false},
		{"birth date, sex unknown", "3201016304850002", born(1985, 4, 23), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := candidates(tt.nik, viewOf(t, tt.nik, tt.birth, tt.sexKnown))
			t.Logf("%s (%s): %d candidates", MaskNIK(tt.nik), tt.nik, n)
			if n < 1_000_000 {
				t.Errorf("%s leaves %d candidate NIKs, want at least 1,000,000", MaskNIK(tt.nik), n)
			}
		})
	}
}

func TestMaskText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"form in plain text",
			"Nama Lengkap: Siti Aminah\nNIK: 3201014508850001\nTempat, Tanggal Lahir: Bandung, 05-08-1985\nNomor HP: 0812-3456-7890\nKeluhan: sertifikat belum muncul",
			"Nama Lengkap: Siti Aminah\nNIK: **************01\nTempat, Tanggal Lahir: Bandung, **-**-****\nNomor HP: 0812******90\nKeluhan: sertifikat belum muncul"},
		{"NIK grouped by spaces", "NIK saya 3201 0145 0885 0001 sudah terdaftar", "NIK saya **************01 sudah terdaftar"},
		{"NIK grouped by dots", "NIK 3201.0145.0885.0001.", "NIK **************01."},
		{"NIK grouped by dashes", "nik=3201-0145-0885-0001", "nik=**************01"},
		{"NIK with a non-breaking space", "NIK 3201\u00a00145\u00a00885\u00a00001", "NIK **************01"},
		{"NIK in a file name", "KTP_3201014508850001.jpg", "KTP_**************01.jpg"},
		{"NIK grouped by spaced dashes", "NIK: 3201 - 0145 - 0885 - 0001.", "NIK: **************01."},
		{"NIK wrapped at a group", "NIK saya 3201 0145\r\n0885 0001 sudah benar", "NIK saya **************01 sudah benar"},
		{"NIK and phone on two lines", "3201014508850001\n081234567890\n", "**************01\n0812******90\n"},
		{"NIK after a letter", "NIK3201014508850001", "NIK**************01"},
		{"+62 phone with spaces", "WA +62 812 3456 7890 ya", "WA +62812******90 ya"},
		{"62 phone", "hubungi 6281234567890", "hubungi 62812******90"},
		{"bare mobile", "HP 81110500567", "HP 811******67"},
		{"landline with dashes", "telp 021-500-567", "telp 0215***67"},
		{"NIK and phone side by side", "3201014508850001 081234567890", "**************01 0812******90"},
		{"date then phone", "Kamis 12-05-2021 0812-3456-7890", "Kamis 12-05-2021 0812******90"},
		{"17-digit NIK typo", "NIK 32010145088500012", "NIK ***************12"},
		{"15 digits in groups", "no KK 3201 0145 0885 001", "no KK *************01"},
		{"birth date with a month name", "TTL: Jakarta, 5 Agustus 1985", "TTL: Jakarta, **-**-****"},
		{"ISO birth date", "tgl lahir 1985-08-05", "tgl lahir **-**-****"},
		{"birth date in an HTML table", "<td>Tanggal Lahir</td><td>05/08/1985</td>", "<td>Tanggal Lahir</td><td>**-**-****</td>"},
		{"HTML with &nbsp;", "<p>NIK:&nbsp;3201&nbsp;0145&nbsp;0885&nbsp;0001</p>", "<p>NIK:&nbsp;**************01</p>"},
		{"tel link", `<a href="tel:+6281234567890">+62 812-3456-7890</a>`, `<a href="tel:+62812******90">+62812******90</a>`},

		{"inline image reference stays", `<img src="cid:part1.06090408.01060107@warga.test"> NIK 3201014508850001`,
			`<img src="cid:part1.06090408.01060107@warga.test"> NIK **************01`},
		{"ticket number stays", "Balasan untuk PL-211110-000123", "Balasan untuk PL-211110-000123"},
		{"a date not after a birth label stays", "vaksin dosis 2 tanggal 12-05-2021", "vaksin dosis 2 tanggal 12-05-2021"},
		{"amounts stay", "biaya Rp 1.500.000", "biaya Rp 1.500.000"},
		{"the desk's hotline stays short", "call center 119 ext 9", "call center 119 ext 9"},
		{"short numbers stay", "dosis 1 dan 2, 7-10 hari", "dosis 1 dan 2, 7-10 hari"},
		{"text without numbers", "Sertifikat belum muncul", "Sertifikat belum muncul"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MaskText(tt.in); got != tt.want {
				t.Errorf("MaskText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestMaskTextLeavesNoNIK feeds every way of writing a NIK between other
// text and checks that no 16-digit NIK survives, whatever the grouping.
func TestMaskTextLeavesNoNIK(t *testing.T) {
	nik := "3201014508850001"
	for _, sep := range []string{"", " ", ".", "-", "\u00a0", "&nbsp;", "\n", " - "} {
		for _, split := range [][]int{{4, 4, 4, 4}, {6, 6, 4}, {2, 2, 2, 6, 4}, {16}} {
			var parts []string
			at := 0
			for _, n := range split {
				parts = append(parts, nik[at:at+n])
				at += n
			}
			written := strings.Join(parts, sep)
			for _, around := range []string{"%s", "NIK: %s", "(%s)", "%s, HP 0812-1111-2222", "no %s."} {
				in := fmt.Sprintf(around, written)
				got := MaskText(in)
				if strings.Contains(strings.NewReplacer(" ", "", ".", "", "-", "", "\u00a0", "", "&nbsp;", "", "\n", "").Replace(got), nik[4:14]) {
					t.Errorf("MaskText(%q) = %q keeps the NIK", in, got)
				}
			}
		}
	}
}

func BenchmarkMaskText(b *testing.B) {
	for _, bb := range []struct{ name, body string }{
		{"form on every line", strings.Repeat("Nama: Siti\nNIK: 3201 0145 0885 0001\nHP: +62 812-3456-7890\nTgl lahir 05-08-1985\n", 200)},
		{"prose", strings.Repeat("Sertifikat vaksin dosis 2 saya belum muncul di aplikasi padahal sudah 14 hari. ", 200) +
			"NIK 3201014508850001, HP 0812-3456-7890."},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.body)))
			for b.Loop() {
				MaskText(bb.body)
			}
		})
	}
}
