package httpapi

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/certificate"
	"github.com/aduan/aduan/pkg/ticket"
)

// CertificateChecker checks the token of a certificate's QR code.
type CertificateChecker interface {
	// Check returns the token's claims, or certificate.ErrInvalid.
	Check(token string) (certificate.Claims, error)
}

// certificateRoutes serves the public check of vaccination certificates:
// the page a certificate's QR code opens, and its JSON twin. Neither needs
// a login: whoever holds the certificate (an employer, a venue) checks it.
func (s *Server) certificateRoutes(r *gin.Engine, api *gin.RouterGroup) {
	r.GET(certificate.CheckPath+":token", s.checkCertificatePage)
	api.GET("/certificates/verify", s.verifyCertificate)
}

type doseOut struct {
	Dose    int    `json:"dose"`
	Date    string `json:"date"` // YYYY-MM-DD
	Vaccine string `json:"vaccine"`
	Place   string `json:"place"`
}

type verificationOut struct {
	Valid         bool      `json:"valid"`
	NameMasked    string    `json:"name_masked"`
	Doses         []doseOut `json:"doses"`
	CertificateID string    `json:"certificate_id,omitempty"`
	IssuedAt      *string   `json:"issued_at,omitempty"`
}

// verifyCertificate answers whether a token is genuine. A token that is
// not is a 200 with valid false: the question was well asked, the answer
// is no.
func (s *Server) verifyCertificate(c *gin.Context) {
	token := c.Query("token")
	if token == "" {
		s.fail(c, &ticket.Error{Code: ticket.EMALFORMED, Message: "Token sertifikat belum diisi. / The token is missing.",
			Fields: map[string]string{"token": "wajib diisi"}})
		return
	}
	if s.cfg.Certificates == nil {
		s.fail(c, ticket.Errorf(ticket.EUNAVAILABLE, "Pemeriksaan sertifikat belum dikonfigurasi. / Certificate checks are not configured."))
		return
	}
	out := verificationOut{Doses: []doseOut{}}
	claims, err := s.cfg.Certificates.Check(token)
	if err == nil {
		out.Valid, out.NameMasked, out.CertificateID = true, claims.NameMasked, claims.ID
		issued := claims.Issued().Format(time.RFC3339)
		out.IssuedAt = &issued
		for _, d := range claims.Doses {
			out.Doses = append(out.Doses, doseOut(d))
		}
	} else if !errors.Is(err, certificate.ErrInvalid) {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// checkCertificatePage is the page a certificate's QR code opens: 200
// saying the certificate is genuine, with the masked name and the doses,
// or 404 saying it is not (no genuine certificate lives at that link).
func (s *Server) checkCertificatePage(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	if s.cfg.Certificates == nil {
		c.Header("Retry-After", retryAfter)
		s.writeCheckPage(c, http.StatusServiceUnavailable, checkView{Unavailable: true})
		return
	}
	claims, err := s.cfg.Certificates.Check(c.Param("token"))
	if err != nil {
		if !errors.Is(err, certificate.ErrInvalid) {
			s.log.ErrorContext(c.Request.Context(), "certificate check failed", "err", err)
			s.writeCheckPage(c, http.StatusInternalServerError, checkView{Unavailable: true})
			return
		}
		s.writeCheckPage(c, http.StatusNotFound, checkView{})
		return
	}
	v := checkView{Valid: true, Name: claims.NameMasked, ID: claims.ID, Issued: certificate.DisplayDate(claims.Issued())}
	for _, d := range claims.Doses {
		date := d.Date
		if t, err := time.Parse(time.DateOnly, d.Date); err == nil {
			date = certificate.DisplayDate(t)
		}
		v.Doses = append(v.Doses, checkDose{Dose: d.Dose, Date: date, Vaccine: d.Vaccine, Place: d.Place})
	}
	s.writeCheckPage(c, http.StatusOK, v)
}

type checkView struct {
	Valid, Unavailable bool
	Name, ID, Issued   string
	Doses              []checkDose
}

type checkDose struct {
	Dose                 int
	Date, Vaccine, Place string
}

func (s *Server) writeCheckPage(c *gin.Context, status int, v checkView) {
	var b bytes.Buffer
	if err := checkPage.Execute(&b, v); err != nil {
		s.fail(c, err)
		return
	}
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
}

var checkPage = template.Must(template.New("check").Parse(`<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{if .Valid}}Sertifikat sah{{else if .Unavailable}}Pemeriksaan tidak tersedia{{else}}Sertifikat tidak sah{{end}} · Pemeriksaan Sertifikat Vaksinasi</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f4f7f6;color:#1b1b1b}
main{max-width:36rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:.5rem;box-shadow:0 1px 4px #0002}
.ok{color:#00695c}.bad{color:#b71c1c}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd}
small{color:#555}
</style>
</head>
<body>
<main>
<p><small>Kementerian Kesehatan Republik Indonesia · Pemeriksaan Sertifikat Vaksinasi COVID-19</small></p>
{{if .Valid}}
<h1 class="ok">✔ Sertifikat sah</h1>
<p>Sertifikat ini diterbitkan oleh Kemenkes RI dan isinya tidak diubah.</p>
<p>Nama: <strong>{{.Name}}</strong><br>Nomor sertifikat: {{.ID}}<br>Diterbitkan: {{.Issued}}</p>
<table>
<thead><tr><th>Dosis</th><th>Tanggal</th><th>Vaksin</th><th>Tempat</th></tr></thead>
<tbody>{{range .Doses}}<tr><td>{{.Dose}}</td><td>{{.Date}}</td><td>{{.Vaccine}}</td><td>{{.Place}}</td></tr>{{end}}</tbody>
</table>
<p><small>Nama ditampilkan tersamar untuk melindungi data pribadi. Cocokkan dengan nama pada sertifikat dan KTP pemiliknya.</small></p>
{{else if .Unavailable}}
<h1 class="bad">Pemeriksaan belum dapat dilakukan</h1>
<p>Layanan pemeriksaan sertifikat sedang tidak tersedia. Silakan coba lagi nanti.</p>
{{else}}
<h1 class="bad">✘ Sertifikat tidak sah</h1>
<p>Kode QR ini tidak berasal dari sertifikat yang diterbitkan Kemenkes RI, atau isinya telah diubah.
Jangan menerima sertifikat ini sebagai bukti vaksinasi.</p>
<p><small>Pemilik sertifikat dapat mengunduh sertifikat asli melalui WhatsApp Kemenkes RI 0811-1050-0567.</small></p>
{{end}}
</main>
</body>
</html>
`))
