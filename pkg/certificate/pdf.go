package certificate

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/aduan/aduan/pkg/registry"
	"github.com/aduan/aduan/pkg/ticket"
)

// CheckPath is where the public check page lives; a certificate's QR code
// holds {public URL}{CheckPath}{token}.
const CheckPath = "/v/"

// ErrNoDoses: a person with no dose on record has no certificate.
var ErrNoDoses = errors.New("certificate: no dose on record")

// Issuer makes signed certificates and checks their tokens.
type Issuer struct {
	key       Key
	publicURL string
	now       func() time.Time
}

// NewIssuer returns an Issuer signing with key whose links start with
// publicURL (ADUAN_PUBLIC_URL, e.g. "https://aduan.kemkes.go.id").
func NewIssuer(key Key, publicURL string) *Issuer {
	return &Issuer{key: key, publicURL: strings.TrimRight(publicURL, "/"), now: time.Now}
}

// WithClock returns the same Issuer dating its certificates with now.
func (i *Issuer) WithClock(now func() time.Time) *Issuer {
	return &Issuer{key: i.key, publicURL: i.publicURL, now: now}
}

// PublicKey is the key that checks this Issuer's tokens.
func (i *Issuer) PublicKey() ed25519.PublicKey { return i.key.Public() }

// Check returns the claims of a token this Issuer signed, or ErrInvalid.
func (i *Issuer) Check(token string) (Claims, error) { return Verify(i.key.Public(), token) }

// URL is the check page of token.
func (i *Issuer) URL(token string) string { return i.publicURL + CheckPath + token }

// Certificate is one issued certificate.
type Certificate struct {
	Claims
	Token string
	URL   string // what the QR code holds
	PDF   []byte
}

// Filename is the name the certificate is sent under.
func (c Certificate) Filename() string { return "sertifikat-vaksin-" + c.ID + ".pdf" }

// Issue makes p's certificate; ErrNoDoses when p has no dose on record.
func (i *Issuer) Issue(p registry.Person) (Certificate, error) {
	if len(p.Doses) == 0 {
		return Certificate{}, ErrNoDoses
	}
	c := Claims{Version: 1, ID: newID(), NameMasked: registry.MaskName(p.Name), IssuedAt: i.now().Unix()}
	for _, d := range p.Doses {
		c.Doses = append(c.Doses, DoseClaim{Dose: d.Dose, Date: d.Date.Format(time.DateOnly), Vaccine: d.Vaccine, Place: d.Place})
	}
	cert := Certificate{Claims: c, Token: i.key.Sign(c)}
	cert.URL = i.URL(cert.Token)
	qr, err := qrPNG(cert.URL)
	if err != nil {
		return Certificate{}, err
	}
	cert.PDF, err = render(p, cert, qr)
	return cert, err
}

// DisplayDate writes a date as the certificate and the check page do.
func DisplayDate(t time.Time) string { return t.Format("02/01/2006") }

// render lays the certificate out on one A4 page.
func render(p registry.Person, c Certificate, qr []byte) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	issued := c.Issued()
	// Fixed dates make the same certificate the same bytes.
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetTitle("Sertifikat Vaksinasi COVID-19", true)
	pdf.SetCreator("Aduan", true)
	pdf.SetAutoPageBreak(false, 0)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252: the core fonts' encoding
	pdf.AddPage()

	pdf.SetFillColor(0, 122, 110)
	pdf.Rect(0, 0, 210, 34, "F")
	pdf.SetTextColor(255, 255, 255)
	pdf.SetXY(15, 8)
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(180, 6, "KEMENTERIAN KESEHATAN REPUBLIK INDONESIA", "", 2, "L", false, 0, "")
	pdf.SetFont("Helvetica", "B", 18)
	pdf.CellFormat(180, 10, "SERTIFIKAT VAKSINASI COVID-19", "", 2, "L", false, 0, "")
	pdf.SetFont("Helvetica", "I", 10)
	pdf.CellFormat(180, 5, "COVID-19 Vaccination Certificate", "", 2, "L", false, 0, "")

	pdf.SetTextColor(20, 20, 20)
	pdf.SetXY(15, 46)
	field := func(label, value string) {
		pdf.SetFont("Helvetica", "", 10)
		pdf.CellFormat(50, 8, tr(label), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "B", 12)
		pdf.CellFormat(130, 8, tr(value), "", 2, "L", false, 0, "")
		pdf.SetX(15)
	}
	field("Nama / Name", p.Name)
	field("NIK", ticket.MaskNIK(p.NIK))
	field("Nomor sertifikat", c.ID)
	field("Diterbitkan / Issued", DisplayDate(issued))

	pdf.SetXY(15, 90)
	pdf.SetFont("Helvetica", "B", 10)
	pdf.SetFillColor(230, 242, 240)
	widths := []float64{18, 30, 45, 87}
	for k, h := range []string{"Dosis", "Tanggal", "Vaksin", "Tempat"} {
		pdf.CellFormat(widths[k], 8, h, "1", 0, "L", true, 0, "")
	}
	pdf.Ln(8)
	pdf.SetFont("Helvetica", "", 10)
	for _, d := range p.Doses {
		pdf.SetX(15)
		for k, v := range []string{fmt.Sprint(d.Dose), DisplayDate(d.Date), d.Vaccine, d.Place} {
			pdf.CellFormat(widths[k], 8, tr(fit(pdf, v, widths[k]-2)), "1", 0, "L", false, 0, "")
		}
		pdf.Ln(8)
	}

	_, y := pdf.GetXY()
	y += 12
	pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(qr))
	pdf.ImageOptions("qr", 15, y, 60, 60, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetXY(82, y+6)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.MultiCell(113, 6, tr("Periksa keaslian sertifikat ini"), "", "L", false)
	pdf.SetX(82)
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(113, 5, tr("Pindai kode QR dengan kamera ponsel. Halaman yang terbuka menyatakan apakah "+
		"sertifikat ini sah, dengan nama tersamar dan dosis yang tercatat."), "", "L", false)
	pdf.SetX(82)
	pdf.SetFont("Helvetica", "I", 9)
	pdf.MultiCell(113, 5, tr("Scan the QR code to check that this certificate is genuine."), "", "L", false)

	pdf.SetXY(15, 280)
	pdf.SetFont("Helvetica", "", 8)
	pdf.SetTextColor(90, 90, 90)
	pdf.CellFormat(180, 5, tr("Dokumen ini diterbitkan secara elektronik dan ditandatangani secara digital; tidak memerlukan tanda tangan basah."),
		"", 0, "L", false, 0, "")
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("certificate: render: %w", err)
	}
	return out.Bytes(), nil
}

// fit shortens s with an ellipsis until it fits width mm in the current
// font, so a long place name cannot run over the next cell.
func fit(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"...") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "..."
}

// qrModule is how many pixels one QR module is drawn with: the PDF scales
// the image, and whole pixels per module keep the edges sharp.
const qrModule = 4

// qrPNG draws text as a QR code (error correction M, quiet zone 4) in a
// gray PNG.
func qrPNG(text string) ([]byte, error) {
	hints := map[gozxing.EncodeHintType]any{
		gozxing.EncodeHintType_ERROR_CORRECTION: decoder.ErrorCorrectionLevel_M,
		gozxing.EncodeHintType_MARGIN:           4,
	}
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
	if err != nil {
		return nil, fmt.Errorf("certificate: QR code: %w", err)
	}
	w, h := m.GetWidth(), m.GetHeight()
	img := image.NewGray(image.Rect(0, 0, w*qrModule, h*qrModule))
	for y := 0; y < h*qrModule; y++ {
		for x := 0; x < w*qrModule; x++ {
			v := uint8(255)
			if m.Get(x/qrModule, y/qrModule) {
				v = 0
			}
			img.SetGray(x, y, color.Gray{Y: v})
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
