package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Cari tiket on Antrean finds a ticket by its number, the caller's NIK,
// phone or name and words of the complaint (the API's search), names
// the NIK only masked, and refuses an over-long search without running it.
func TestSearch(t *testing.T) {
	d := newDesk(t)
	a := d.browser(t)
	a.login("agen1@aduan.test")
	_, body := a.do("POST", "/console/panggilan", url.Values{"kunci": {"5d0c1f7e-2b8a-4c6d-9e3f-0a1b2c3d4e5f"},
		"nik": {"3201014507850001"}, "name": {"Siti Aminah"}, "phone": {"0812 3456 7890"},
		"category": {"certificate_missing"}, "description": {"Sertifikat dosis kedua belum muncul di aplikasi."}})
	number := numberRe.FindString(body)
	if number == "" {
		t.Fatal("the call made no ticket")
	}
	for _, q := range []string{number, number[:9], "3201014507850001", "081234567890", "siti ami", "dosis kedua"} {
		resp, page := a.do("GET", "/console/antrean?"+url.Values{"q": {q}}.Encode(), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("search %q = %d", q, resp.StatusCode)
		}
		results, _, _ := strings.Cut(page[strings.Index(page, "Hasil pencarian"):], "</section>")
		if !strings.Contains(results, number) {
			t.Errorf("search %q does not find %s", q, number)
		}
		if strings.Contains(page, "3201014507850001") && q != "3201014507850001" {
			t.Errorf("search %q shows the NIK in clear", q)
		}
	}
	_, page := a.do("GET", "/console/antrean?q=bukan+keluhan+siapa+pun", nil)
	if !strings.Contains(page, "Tidak ada tiket yang cocok.") {
		t.Error("a search that finds nothing does not say so")
	}
	resp, page := a.do("GET", "/console/antrean?q="+strings.Repeat("a", 201), nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Pencarian paling banyak 200 karakter.") {
		t.Errorf("an over-long search = %d, not refused with a reason", resp.StatusCode)
	}
}
