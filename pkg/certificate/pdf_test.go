package certificate_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/aduan/aduan/pkg/certificate"
	"github.com/aduan/aduan/pkg/registry"
)

var siti = registry.Person{NIK: "3201014508850001", Name: "Siti Aminah", Phone: "+6281234567801",
	Doses: []registry.Dose{
		{Dose: 1, Date: time.Date(2021, 8, 2, 0, 0, 0, 0, time.UTC), Vaccine: "Sinovac", Place: "Puskesmas Cibinong"},
		{Dose: 2, Date: time.Date(2021, 8, 30, 0, 0, 0, 0, time.UTC), Vaccine: "Sinovac", Place: "Puskesmas Cibinong"},
		{Dose: 3, Date: time.Date(2022, 3, 14, 0, 0, 0, 0, time.UTC), Vaccine: "Pfizer", Place: "RSUD Cibinong"},
	}}

func issuer() *certificate.Issuer {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	return certificate.NewIssuer(certificate.GenerateKey(), "https://aduan.example/").WithClock(func() time.Time { return now })
}

// pdfObject is one indirect object of a PDF: its dictionary and its
// stream, inflated when it was deflated.
type pdfObject struct {
	dict   string
	stream []byte
	raw    []byte // the stream as stored
}

func pdfObjects(t *testing.T, pdf []byte) []pdfObject {
	t.Helper()
	var out []pdfObject
	for _, obj := range bytes.Split(pdf, []byte("endobj")) {
		i := bytes.Index(obj, []byte("stream\n"))
		j := bytes.LastIndex(obj, []byte("\nendstream"))
		if i < 0 || j < i {
			out = append(out, pdfObject{dict: string(obj)})
			continue
		}
		o := pdfObject{dict: string(obj[:i]), raw: obj[i+len("stream\n") : j]}
		o.stream = o.raw
		if strings.Contains(o.dict, "/FlateDecode") {
			zr, err := zlib.NewReader(bytes.NewReader(o.raw))
			if err != nil {
				t.Fatalf("inflate: %v", err)
			}
			if o.stream, err = io.ReadAll(zr); err != nil {
				t.Fatalf("inflate: %v", err)
			}
		}
		out = append(out, o)
	}
	return out
}

var shown = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)

// pdfText is the text the page's content streams show, one string a line.
func pdfText(t *testing.T, pdf []byte) string {
	var b strings.Builder
	for _, o := range pdfObjects(t, pdf) {
		for _, m := range shown.FindAllSubmatch(o.stream, -1) {
			s := strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`).Replace(string(m[1]))
			b.WriteString(s + "\n")
		}
	}
	return b.String()
}

// pdfImage rebuilds the PNG fpdf embedded (a gray image's deflated rows,
// kept as they were) and decodes it.
func pdfImage(t *testing.T, pdf []byte) image.Image {
	t.Helper()
	num := func(dict, key string) int {
		m := regexp.MustCompile(`/` + key + ` (\d+)`).FindStringSubmatch(dict)
		if m == nil {
			t.Fatalf("no /%s in %s", key, dict)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	for _, o := range pdfObjects(t, pdf) {
		if !strings.Contains(o.dict, "/Subtype /Image") {
			continue
		}
		if !strings.Contains(o.dict, "/DeviceGray") {
			t.Fatalf("image is not gray: %s", o.dict)
		}
		var b bytes.Buffer
		chunk := func(typ string, data []byte) {
			binary.Write(&b, binary.BigEndian, uint32(len(data)))
			b.WriteString(typ)
			b.Write(data)
			binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
		}
		b.WriteString("\x89PNG\r\n\x1a\n")
		ihdr := make([]byte, 13)
		binary.BigEndian.PutUint32(ihdr[0:], uint32(num(o.dict, "Width")))
		binary.BigEndian.PutUint32(ihdr[4:], uint32(num(o.dict, "Height")))
		ihdr[8], ihdr[9] = 8, 0 // 8 bits, gray
		chunk("IHDR", ihdr)
		chunk("IDAT", o.raw)
		chunk("IEND", nil)
		img, err := png.Decode(&b)
		if err != nil {
			t.Fatalf("embedded image: %v", err)
		}
		return img
	}
	t.Fatal("no image in the PDF")
	return nil
}

func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR code read: %v", err)
	}
	return res.GetText()
}

func TestCertificatePDF(t *testing.T) {
	iss := issuer()
	cert, err := iss.Issue(siti)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(cert.PDF, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.20q", cert.PDF)
	}
	text := pdfText(t, cert.PDF)
	for _, want := range []string{"SERTIFIKAT VAKSINASI COVID-19", "Siti Aminah", "**************01",
		"02/08/2021", "30/08/2021", "14/03/2022", "Sinovac", "Pfizer", "Puskesmas Cibinong", "RSUD Cibinong",
		"03/12/2026", cert.ID} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not show %q; it shows:\n%s", want, text)
		}
	}
	if bytes.Contains(cert.PDF, []byte(siti.NIK)) || strings.Contains(text, siti.NIK) {
		t.Error("the PDF carries the NIK in clear")
	}
	url := decodeQR(t, pdfImage(t, cert.PDF))
	if url != cert.URL || !strings.HasPrefix(url, "https://aduan.example/v/") {
		t.Fatalf("QR code holds %q, want %q", url, cert.URL)
	}
	claims, err := iss.Check(strings.TrimPrefix(url, "https://aduan.example/v/"))
	if err != nil || claims.NameMasked != "Si** Am****" || len(claims.Doses) != 3 || claims.Doses[2].Place != "RSUD Cibinong" ||
		!claims.Issued().Equal(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("the QR code's token: %+v, %v", claims, err)
	}
	if cert.Filename() != "sertifikat-vaksin-"+cert.ID+".pdf" {
		t.Errorf("filename %q", cert.Filename())
	}
}

func TestNoDosesNoCertificate(t *testing.T) {
	p := siti
	p.Doses = nil
	if _, err := issuer().Issue(p); !errors.Is(err, certificate.ErrNoDoses) {
		t.Errorf("Issue with no dose = %v", err)
	}
}

// TestCertificateAsPopplerReadsIt reads the PDF as a viewer does: its text
// through pdftotext, its QR code from the page rendered by pdftoppm.
func TestCertificateAsPopplerReadsIt(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install poppler-utils); the content-stream test still runs", tool)
		}
	}
	p := siti
	p.Name = "Ni Made Ayu Süryani" // beyond ASCII, within the core fonts' cp1252
	cert, err := issuer().Issue(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "c.pdf")
	if err := os.WriteFile(file, cert.PDF, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"Ni Made Ayu Süryani", "**************01", "30/08/2021", "Puskesmas Cibinong", "Pfizer"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pdftotext does not read %q:\n%s", want, out)
		}
	}
	if err := exec.Command("pdftoppm", "-r", "150", "-gray", "-png", "-singlefile", file, filepath.Join(dir, "page")).Run(); err != nil {
		t.Fatalf("pdftoppm: %v", err)
	}
	f, err := os.Open(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, page); got != cert.URL {
		t.Errorf("the rendered page's QR code holds %q, want %q", got, cert.URL)
	}
}
