package email

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// photoBytes returns n bytes that stand in for a photo.
func photoBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// base64Lines encodes b in lines of 76 characters ended by eol.
func base64Lines(b []byte, eol string) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var s strings.Builder
	for len(enc) > 76 {
		s.WriteString(enc[:76] + eol)
		enc = enc[76:]
	}
	s.WriteString(enc + eol)
	return s.String()
}

// complaintWithPhotos is a complaint with three attached photos, its
// lines ended by eol.
func complaintWithPhotos(eol string, size int) []byte {
	var b strings.Builder
	w := func(s string) { b.WriteString(strings.ReplaceAll(s, "\n", eol)) }
	w("From: Siti Aminah <siti@warga.test>\nSubject: Sertifikat belum muncul\nMessage-ID: <lift-1@warga.test>\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"BB\"\n\nThis is a multi-part message.\n" +
		"--BB\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
		"Nama Lengkap: Siti Aminah\nNIK: 3201014508850001\nKeluhan: sertifikat belum muncul =E2=80=94 mohon dibantu\n")
	for i, f := range []string{"ktp.jpg", "selfie.jpg", "kartu-vaksin.jpg"} {
		w(fmt.Sprintf("--BB\nContent-Type: image/jpeg; name=%q\nContent-Disposition: attachment; filename=%q\n"+
			"Content-Transfer-Encoding: base64\n\n", f, f))
		b.WriteString(base64Lines(photoBytes(uint64(i), size), eol))
	}
	w("--BB--\nepilogue\n")
	return []byte(b.String())
}

// parseBothWays parses raw with every base64 file lifted out and with
// none, and fails unless both give the same mail. It returns the mail and
// how many bodies were lifted.
func parseBothWays(t *testing.T, raw []byte) (*Mail, int) {
	t.Helper()
	_, l := lift(raw, 1, nil)
	lifted, err := (&parser{minLift: 1}).parse(raw, 0)
	plain, perr := (&parser{minLift: math.MaxInt}).parse(raw, 0)
	if (err == nil) != (perr == nil) {
		t.Fatalf("lifted: %v; enmime alone: %v", err, perr)
	}
	if !sameMail(lifted, plain) {
		t.Errorf("lifting changed the parse:\n lifted %s\n plain  %s", describe(lifted), describe(plain))
	}
	return lifted, len(l.bodies)
}

// sameMail says whether a and b read the same.
func sameMail(a, b *Mail) bool {
	for _, m := range []*Mail{a, b} {
		if m != nil { // enmime lists a header's problems in map order
			slices.Sort(m.Warnings)
		}
	}
	return reflect.DeepEqual(a, b)
}

func describe(m *Mail) string {
	if m == nil {
		return "<nil>"
	}
	var parts []string
	for _, p := range m.Attachments {
		parts = append(parts, fmt.Sprintf("%s %s cid=%q inline=%v %d bytes", p.Filename, p.ContentType, p.ContentID, p.Inline, len(p.Content)))
	}
	return fmt.Sprintf("text=%q html=%q warnings=%q parts=%q", m.Text, m.HTML, m.Warnings, parts)
}

// Lifting the photos out must change nothing enmime would have read.
func TestLiftSameAsEnmime(t *testing.T) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatal("no fixtures", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			parseBothWays(t, raw)
			parseBothWays(t, bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")))
		})
	}

	crlf := complaintWithPhotos("\r\n", 3000)
	lf := complaintWithPhotos("\n", 3000)
	nested := []byte(strings.ReplaceAll(`From: a@warga.test
Subject: foto
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/related; boundary="outer-inner"

--outer-inner
Content-Type: text/html; charset=utf-8

<p>KTP saya: <img src="cid:ktp@x"></p>
--outer-inner
Content-Type: image/png
Content-ID: <ktp@x>
Content-Transfer-Encoding: base64

`+base64Lines(photoBytes(9, 2000), "\n")+`--outer-inner--
--outer
Content-Type: application/pdf; name="kartu.pdf"
Content-Transfer-Encoding: BASE64

`+base64Lines(photoBytes(10, 900), "\n")+`
--outer--
`, "\n", "\r\n"))
	cases := []struct {
		name string
		raw  []byte
		want int // bodies lifted
	}{
		{"CRLF complaint", crlf, 3},
		{"LF complaint", lf, 3},
		{"nested related with a boundary that extends the outer one", nested, 2},
		{"transport padding after delimiters", bytes.ReplaceAll(crlf, []byte("--BB\r\n"), []byte("--BB \t\r\n")), 3},
		{"no closing delimiter", bytes.TrimSuffix(crlf, []byte("--BB--\r\nepilogue\r\n")), 0},
		{"base64 the standard decoder refuses", bytes.Replace(crlf, []byte("\r\n--BB\r\nContent-Type: image/jpeg; name=\"selfie.jpg\""),
			[]byte(" !\r\n--BB\r\nContent-Type: image/jpeg; name=\"selfie.jpg\""), 1), 2},
		{"forged mark", bytes.Replace(crlf, []byte("Content-Disposition: attachment; filename=\"ktp.jpg\""),
			[]byte("Content-Disposition: attachment; filename=\"ktp.jpg\"\r\nX-Aduan-Lifted: 0-0"), 1), 3},
		{"duplicate Content-Transfer-Encoding", bytes.Replace(crlf, []byte("Content-Transfer-Encoding: base64"),
			[]byte("Content-Transfer-Encoding: base64\r\nContent-Transfer-Encoding: 7bit"), 1), 2},
		{"not multipart", []byte("From: a@warga.test\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64Lines(photoBytes(3, 1000), "\r\n")), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, n := parseBothWays(t, c.raw)
			if n != c.want {
				t.Errorf("lifted %d bodies, want %d", n, c.want)
			}
			if c.want == 3 {
				if len(m.Attachments) != 3 || !bytes.Equal(m.Attachments[1].Content, photoBytes(1, 3000)) {
					t.Errorf("attachments = %s, want the three photos", describe(m))
				}
				wantContains(t, "text", m.Text, "NIK: 3201014508850001", "belum muncul — mohon")
			}
		})
	}
}

// A photo of the size people send is lifted by Parse itself.
func TestParseLiftsPhotos(t *testing.T) {
	raw := complaintWithPhotos("\r\n", 200<<10)
	if _, l := lift(raw, liftMin, nil); len(l.bodies) != 3 {
		t.Fatalf("lifted %d of 3 photos", len(l.bodies))
	}
	m, _ := parseBothWays(t, raw)
	if len(m.Attachments) != 3 || !bytes.Equal(m.Attachments[2].Content, photoBytes(2, 200<<10)) {
		t.Errorf("attachments = %s", describe(m))
	}
}

// BenchmarkParse reads a complaint with three 200 KB photos, the mail the
// help desk gets most.
func BenchmarkParse(b *testing.B) {
	raw := complaintWithPhotos("\r\n", 200<<10)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzLift holds lifting to enmime's reading on mangled mail.
func FuzzLift(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, file := range files {
		if raw, err := os.ReadFile(file); err == nil {
			f.Add(raw)
		}
	}
	f.Add(complaintWithPhotos("\r\n", 300))
	f.Add(complaintWithPhotos("\n", 100))
	f.Fuzz(func(t *testing.T, raw []byte) {
		parseBothWays(t, raw)
	})
}

// A kept parser decodes each mail's files into the memory of the one
// before; what it returns for each mail must still be that mail.
func TestParserReuse(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.eml")
	var mails [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mails = append(mails, raw)
	}
	mails = append(mails, complaintWithPhotos("\r\n", 30<<10), complaintWithPhotos("\n", 10<<10),
		complaintWithPhotos("\r\n", 40<<10))
	kept := &parser{minLift: 1}
	for round := range 2 {
		for i, raw := range mails {
			got, err := kept.parse(raw, 0)
			want, werr := (&parser{minLift: 1}).parse(raw, 0)
			if (err == nil) != (werr == nil) {
				t.Fatalf("round %d mail %d: kept parser %v, fresh one %v", round, i, err, werr)
			}
			if !sameMail(got, want) {
				t.Errorf("round %d mail %d: kept parser read\n %s\nfresh one\n %s", round, i, describe(got), describe(want))
			}
		}
	}
	if cap(kept.slab) < 40<<10*3 {
		t.Errorf("kept slab holds %d bytes; the photos were decoded elsewhere", cap(kept.slab))
	}
}
