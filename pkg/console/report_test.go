package console_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// oversee adds a supervisor and an admin to d and seeds week 2021-W45 with
// three tickets: two by mail (one with agent 2, pending), one by phone.
func oversee(t *testing.T, d *desk) {
	t.Helper()
	for _, u := range []app.NewUser{{Email: "spv@aduan.test", Name: "Sri Supervisor", Role: ticket.RoleSupervisor},
		{Email: "admin@aduan.test", Name: "Agus Admin", Role: ticket.RoleAdmin}} {
		u.Password, u.Capacity = password, ticket.DefaultCapacity
		if _, err := d.app.AddUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	db := d.app.Config.DatabaseURL
	cid := storetest.Count(t, db, `INSERT INTO complainants (name, nik) VALUES ('Budi', '3201010101900001') RETURNING id`)
	storetest.Exec(t, db, `INSERT INTO tickets (number, channel, category, status, priority, queue, assignee_id,
			complainant_id, created_at, updated_at, resolved_at)
		VALUES ('PL-211108-000001', 'email', 'certificate_missing', 'resolved', 'normal', 'sertifikat', NULL, $1,
				'2021-11-08 09:00+07', '2021-11-08 09:00+07', '2021-11-08 12:00+07'),
			('PL-211109-000002', 'email', 'other', 'pending', 'normal', 'sertifikat', $2, $1,
				'2021-11-09 09:00+07', '2021-11-09 09:00+07', NULL),
			('PL-211110-000003', 'callcenter', 'app_issue', 'resolved', 'normal', 'sertifikat', NULL, $1,
				'2021-11-10 09:00+07', '2021-11-10 09:00+07', '2021-11-10 10:00+07')`, cid, d.agent2.ID)
}

func TestOversightPagesByRole(t *testing.T) {
	d := newDesk(t)
	oversee(t, d)
	agent, spv, admin := d.browser(t), d.browser(t), d.browser(t)
	agent.login("agen1@aduan.test")
	spv.login("spv@aduan.test")
	admin.login("admin@aduan.test")
	pages := []string{"/console/laporan", "/console/laporan/mingguan?week=2021-W45",
		"/console/laporan/unduh/mingguan.csv?week=2021-W45", "/console/admin", "/console/admin/aturan", "/console/admin/email"}
	for _, p := range pages {
		admins := strings.HasPrefix(p, "/console/admin")
		for _, tt := range []struct {
			who  string
			b    *browser
			want int
		}{{"agent", agent, http.StatusForbidden}, {"supervisor", spv, map[bool]int{true: http.StatusForbidden, false: http.StatusOK}[admins]},
			{"admin", admin, http.StatusOK}} {
			if resp, _ := tt.b.do("GET", p, nil); resp.StatusCode != tt.want {
				t.Errorf("%s GET %s = %d, want %d", tt.who, p, resp.StatusCode, tt.want)
			}
		}
	}
	_, body := spv.do("GET", "/console/antrean", nil)
	if !strings.Contains(body, ">Laporan</a>") || strings.Contains(body, ">Admin</a>") {
		t.Error("a supervisor's navigation must offer Laporan and not Admin")
	}
}

func TestWeeklyReportPageAndDownloads(t *testing.T) {
	d := newDesk(t)
	oversee(t, d)
	spv := d.browser(t)
	spv.login("spv@aduan.test")

	resp, body := spv.do("GET", "/console/laporan/mingguan?week=2021-W45", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("report page = %d", resp.StatusCode)
	}
	for _, want := range []string{"Laporan Mingguan 2021-W45", `type="week"`, `value="2021-W45"`, ">Unduh CSV</button>",
		">Unduh XLSX</button>", `role="img"`, "08/11/2021 sampai 14/11/2021", "<dd>3</dd>", "<dd>2</dd>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the report page lacks %q", want)
		}
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Error("the report page has no CSP")
	}
	if resp, body := spv.do("GET", "/console/laporan/mingguan?week=2021-W99", nil); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "minggu 1 sampai 52") {
		t.Errorf("a week that is no week = %d", resp.StatusCode)
	}
	if resp, _ := spv.do("GET", "/console/laporan/mingguan?week=2099-W01", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a week not begun = %d, want 404", resp.StatusCode)
	}

	resp, body = spv.do("GET", "/console/laporan/unduh/mingguan.csv?week=2021-W45", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") != `attachment; filename="aduan-2021-W45.csv"` {
		t.Fatalf("CSV = %d, %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !hasRow(rows, "2021-W45", "2021-11-08", "email", "", "created", "1") ||
		!hasRow(rows, "2021-W45", "", "", "", "created", "3") || !hasRow(rows, "2021-W45", "", "", "", "resolved", "2") {
		t.Errorf("CSV rows:\n%s", body)
	}

	resp, body = spv.do("GET", "/console/laporan/unduh/tiket.xlsx?week=2021-W45", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("tickets XLSX = %d", resp.StatusCode)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("tickets XLSX does not open: %v", err)
	}
	defer f.Close()
	sheet, _ := f.GetRows("Tiket")
	if len(sheet) != 4 || sheet[2][0] != "PL-211109-000002" || sheet[2][7] != "Dewi Agen" {
		t.Errorf("tickets XLSX rows %v", sheet)
	}
	if strings.Contains(body, "3201010101900001") {
		t.Error("the per-ticket export carries the NIK")
	}
	if resp, _ := spv.do("GET", "/console/laporan/unduh/rahasia.txt?week=2021-W45", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown file = %d", resp.StatusCode)
	}
}

func hasRow(rows [][]string, want ...string) bool {
	for _, r := range rows {
		if strings.Join(r, ",") == strings.Join(want, ",") {
			return true
		}
	}
	return false
}

func TestBoardAndReassign(t *testing.T) {
	d := newDesk(t)
	oversee(t, d)
	spv := d.browser(t)
	spv.login("spv@aduan.test")
	resp, body := spv.do("GET", "/console/laporan", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `hx-trigger="every 15s"`) ||
		!strings.Contains(body, "<th scope=\"row\">sertifikat</th>") || !strings.Contains(body, "Dewi Agen") {
		t.Fatalf("board = %d:\n%s", resp.StatusCode, body)
	}
	if resp, frag := spv.do("GET", "/console/laporan?bagian=papan", nil); resp.StatusCode != http.StatusOK ||
		strings.Contains(frag, "<html") || !strings.Contains(frag, "Beban per antrean") {
		t.Errorf("the board's refresh = %d, want the fragment alone", resp.StatusCode)
	}
	resp, _ = spv.do("POST", "/console/laporan/tugaskan", url.Values{"nomor": {"PL-211109-000002"},
		"agen": {strconv.FormatInt(d.agent.ID, 10)}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "ditugaskan=PL-211109-000002") {
		t.Fatalf("reassign = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	tk, err := d.app.Desk.Ticket(context.Background(), "PL-211109-000002")
	if err != nil || tk.AssigneeID == nil || *tk.AssigneeID != d.agent.ID {
		t.Fatalf("after reassigning: %v, %v", tk.AssigneeID, err)
	}
	if resp, body := spv.do("POST", "/console/laporan/tugaskan", url.Values{"nomor": {"PL-000000-000000"},
		"agen": {strconv.FormatInt(d.agent.ID, 10)}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `role="alert"`) {
		t.Errorf("reassigning a ticket that does not exist = %d", resp.StatusCode)
	}
}
