package console_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
)

func TestAdminUsers(t *testing.T) {
	d := newDesk(t)
	oversee(t, d)
	admin := d.browser(t)
	admin.login("admin@aduan.test")
	db := d.app.Config.DatabaseURL

	bad := url.Values{"email": {"bukan-email"}, "nama": {"Yusuf"}, "peran": {"agent"}, "sandi": {"pendek"},
		"antrean": {"sertifikat"}, "kapasitas": {"10"}}
	resp, body := admin.do("POST", "/console/admin/pengguna", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `aria-invalid="true"`) ||
		strings.Contains(body, "pendek") {
		t.Fatalf("bad user = %d: fields marked, password never sent back", resp.StatusCode)
	}
	good := url.Values{"email": {"yusuf@aduan.test"}, "nama": {"Yusuf Maulana"}, "peran": {"agent"},
		"sandi": {"sandi-awal-yusuf-1"}, "antrean": {"sertifikat, data-diri"}, "kapasitas": {"12"}}
	if resp, _ := admin.do("POST", "/console/admin/pengguna", good); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add user = %d", resp.StatusCode)
	}
	u, _, err := d.app.Store.UserByEmail(context.Background(), "yusuf@aduan.test")
	if err != nil || u.Capacity != 12 || strings.Join(u.Queues, ",") != "sertifikat,data-diri" {
		t.Fatalf("added %+v, %v", u, err)
	}
	id := strconv.FormatInt(u.ID, 10)
	if resp, _ := admin.do("POST", "/console/admin/pengguna/"+id+"/antrean", url.Values{"antrean": {""}, "kapasitas": {"8"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("update agent = %d", resp.StatusCode)
	}
	if resp, _ := admin.do("POST", "/console/admin/pengguna/"+id+"/antrean", url.Values{"kapasitas": {"900"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("capacity 900 = %d, want 422", resp.StatusCode)
	}
	if u, _ = d.app.Store.UserByID(context.Background(), u.ID); u.Capacity != 8 || len(u.Queues) != 0 {
		t.Errorf("after the update: %+v, want capacity 8 and every queue", u)
	}

	if resp, _ := admin.do("POST", "/console/admin/pengguna/"+id+"/nonaktifkan", url.Values{}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("disabling without a reason = %d, want 422", resp.StatusCode)
	}
	yusuf := d.browser(t)
	yusuf.loginAs("yusuf@aduan.test", "sandi-awal-yusuf-1")
	if resp, _ := admin.do("POST", "/console/admin/pengguna/"+id+"/nonaktifkan", url.Values{"alasan": {"pindah tugas"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable = %d", resp.StatusCode)
	}
	if resp, _ := yusuf.do("GET", "/console/antrean", nil); resp.StatusCode == http.StatusOK {
		t.Error("a disabled user's session still works")
	}
	if resp, _ := admin.do("POST", "/console/admin/pengguna/"+id+"/aktifkan", url.Values{"alasan": {"kembali"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable = %d", resp.StatusCode)
	}
	if n := storetest.Count(t, db, `SELECT count(*) FROM audit_log WHERE subject = $1 AND action IN ('user_disable', 'user_enable')
		AND actor_id = (SELECT id FROM users WHERE email = 'admin@aduan.test')`, "user:"+id); n != 2 {
		t.Errorf("%d audit rows naming the admin, want 2", n)
	}
	self := storetest.Count(t, db, `SELECT id FROM users WHERE email = 'admin@aduan.test'`)
	if resp, _ := admin.do("POST", "/console/admin/pengguna/"+strconv.Itoa(self)+"/nonaktifkan", url.Values{"alasan": {"x"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("an admin disabling themselves = %d, want 409", resp.StatusCode)
	}
}

func TestAdminTakesQuarantinedMailIn(t *testing.T) {
	d := newDesk(t)
	oversee(t, d)
	admin := d.browser(t)
	admin.login("admin@aduan.test")
	raw := "From: Wahyu <wahyu@contoh.id>\r\nTo: pedulilindungi@kemkes.go.id\r\nSubject: Sertifikat tidak muncul\r\n" +
		"Message-ID: <karantina-uji@contoh.id>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Nama Lengkap: Wahyu\r\nKeluhan: sertifikat dosis 2 belum muncul.\r\n"
	sum, size, err := d.app.Blobs.Put(bytes.NewReader([]byte(raw)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := d.app.Store.Quarantine(ctx, store.QuarantinedMail{Mailbox: "INBOX", UIDValidity: 1, UID: 77, RawSHA256: sum,
		Size: size, Reason: "ingest: database away"}); err != nil {
		t.Fatal(err)
	}
	_, body := admin.do("GET", "/console/admin/email", nil)
	if !strings.Contains(body, "ingest: database away") || !strings.Contains(body, ">Coba Lagi</button>") {
		t.Fatal("the quarantined mail is not listed with its reason and a retry")
	}
	list, _ := d.app.Store.QuarantinedMails(ctx, 0, 10)
	resp, _ := admin.do("POST", "/console/admin/email/karantina/"+strconv.FormatInt(list[0].ID, 10)+"/ulang", url.Values{})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "tiket=PL-") {
		t.Fatalf("retry = %d to %q", resp.StatusCode, loc)
	}
	q, _ := url.Parse(loc)
	tk, err := d.app.Desk.Ticket(ctx, q.Query().Get("tiket"))
	if err != nil || tk.Subject != "Sertifikat tidak muncul" {
		t.Fatalf("the ticket from the mail: %+v, %v", tk.Subject, err)
	}
	if _, body := admin.do("GET", loc, nil); !strings.Contains(body, "tiket baru "+tk.Number) ||
		!strings.Contains(body, "Tidak ada email dalam karantina.") {
		t.Error("the page does not say where the mail went, or still lists it")
	}
	if resp, _ := admin.do("POST", "/console/admin/email/karantina/"+strconv.FormatInt(list[0].ID, 10)+"/ulang", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("retrying it again = %d, want 404", resp.StatusCode)
	}
}

// loginAs logs in with a password of the user's own.
func (b *browser) loginAs(email, pw string) {
	b.t.Helper()
	resp, _ := b.do("POST", "/console/masuk", url.Values{"email": {email}, "password": {pw}})
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login %s = %d", email, resp.StatusCode)
	}
}
