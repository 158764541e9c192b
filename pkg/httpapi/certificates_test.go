package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/aduan/aduan/pkg/certificate"
	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/registry"
)

// The check page is HTML: the contract checks it is a string, as it
// checks the webhook's text/plain.
func init() { openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder) }

type verificationOut struct {
	Valid         bool   `json:"valid"`
	NameMasked    string `json:"name_masked"`
	CertificateID string `json:"certificate_id"`
	IssuedAt      string `json:"issued_at"`
	Doses         []struct {
		Dose    int    `json:"dose"`
		Date    string `json:"date"`
		Vaccine string `json:"vaccine"`
		Place   string `json:"place"`
	} `json:"doses"`
}

func TestCertificateCheck(t *testing.T) {
	h := newHarness(t)
	issued := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	iss := certificate.NewIssuer(certificate.GenerateKey(), "https://aduan.example").WithClock(func() time.Time { return issued })
	forger := certificate.NewIssuer(certificate.GenerateKey(), "https://aduan.example")
	api := h.apiWith(func(c *httpapi.Config) { c.Certificates = iss })
	person := registry.Person{NIK: "3201014508850001", Name: "Siti Aminah", Doses: []registry.Dose{
		{Dose: 1, Date: time.Date(2021, 8, 2, 0, 0, 0, 0, time.UTC), Vaccine: "Sinovac", Place: "Puskesmas Cibinong"},
		{Dose: 2, Date: time.Date(2021, 8, 30, 0, 0, 0, 0, time.UTC), Vaccine: "Sinovac", Place: "Puskesmas Cibinong"}}}
	cert, err := iss.Issue(person)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := forger.Issue(person)
	if err != nil {
		t.Fatal(err)
	}
	verify := func(token string) string {
		return "/api/v1/certificates/verify?" + url.Values{"token": {token}}.Encode()
	}

	t.Run("genuine", func(t *testing.T) {
		var v verificationOut
		h.callOn(t, api, "GET", verify(cert.Token), "", nil).must(t, http.StatusOK).decode(t, &v)
		if !v.Valid || v.NameMasked != "Si** Am****" || v.CertificateID != cert.ID || v.IssuedAt != "2026-12-03T09:00:00Z" ||
			len(v.Doses) != 2 || v.Doses[1].Date != "2021-08-30" || v.Doses[1].Place != "Puskesmas Cibinong" {
			t.Errorf("verification %+v", v)
		}
		page := h.callOn(t, api, "GET", "/v/"+cert.Token, "", nil).must(t, http.StatusOK)
		body := string(page.Body)
		for _, want := range []string{"Sertifikat sah", "Si** Am****", "02/08/2021", "30/08/2021", "Puskesmas Cibinong", "03/12/2026", cert.ID} {
			if !strings.Contains(body, want) {
				t.Errorf("the check page does not show %q", want)
			}
		}
		if strings.Contains(body, "Aminah") || strings.Contains(body, person.NIK) {
			t.Error("the check page shows the name or the NIK in clear")
		}
		if ct := page.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
	})
	t.Run("forged or altered", func(t *testing.T) {
		payload, sig, _ := strings.Cut(cert.Token, ".")
		for _, token := range []string{forged.Token, payload + "x." + sig, "bukan-token"} {
			var v verificationOut
			h.callOn(t, api, "GET", verify(token), "", nil).must(t, http.StatusOK).decode(t, &v)
			if v.Valid || v.NameMasked != "" || len(v.Doses) != 0 {
				t.Errorf("token %.20s… verified as %+v", token, v)
			}
			page := h.callOn(t, api, "GET", "/v/"+token, "", nil).must(t, http.StatusNotFound)
			if !strings.Contains(string(page.Body), "Sertifikat tidak sah") || strings.Contains(string(page.Body), "Si**") {
				t.Errorf("forged page: %.300s", page.Body)
			}
		}
	})
	t.Run("asked badly or not configured", func(t *testing.T) {
		h.callOn(t, api, "GET", "/api/v1/certificates/verify", "", nil).expectError(t, http.StatusBadRequest, "malformed", "token")
		off := h.apiWith(func(c *httpapi.Config) {})
		h.callOn(t, off, "GET", verify(cert.Token), "", nil).expectError(t, http.StatusServiceUnavailable, "unavailable")
		h.callOn(t, off, "GET", "/v/"+cert.Token, "", nil).must(t, http.StatusServiceUnavailable)
	})
}
