package httpapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// Each kind of search the console's search box sends, through the router:
// a whole number, the start of one, a NIK, a phone in the form people
// write it, a name by the beginnings of its words, and words of the
// complaint.
func TestListTicketsSearchKinds(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	call := func(n int, name, description string) ticketOut {
		body := newCall(nikN(n), phoneN(n))
		body.Complainant.Name, body.Description = name, description
		return h.createTicket(t, tok, body)
	}
	t1 := call(1, "Siti Aminah", "Sertifikat belum muncul, vaksin di Puskesmas Cibinong.")
	t2 := call(2, "Budi Santoso", "Nama di sertifikat salah ketik.")
	t3 := call(3, "Siti Rahayu", "Kode OTP tidak masuk ke nomor saya.")
	day := t1.Number[:len("PL-261203")]

	tests := []struct {
		name, q string
		want    []int64
	}{
		{"number", t2.Number, []int64{t2.ID}},
		{"number's start", day, []int64{t3.ID, t2.ID, t1.ID}},
		{"NIK", nikN(3), []int64{t3.ID}},
		{"NIK in groups", "3201 0101 0190 0001", []int64{t1.ID}},
		{"phone, local form", phoneN(2), []int64{t2.ID}},
		{"phone, international with spaces", "+62 812 0000 0003", []int64{t3.ID}},
		{"name", "siti", []int64{t3.ID, t1.ID}},
		{"name's word beginnings", "sit rah", []int64{t3.ID}},
		{"complaint's words", "sertifikat", []int64{t2.ID, t1.ID}},
		{"complaint's words, all of them", "otp nomor", []int64{t3.ID}},
		{"nothing", "xyzzy", []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p pageOut
			h.call(t, "GET", "/api/v1/tickets?q="+url.QueryEscape(tt.q), tok, nil).must(t, http.StatusOK).decode(t, &p)
			if got := ids(p.Items); !slices.Equal(got, tt.want) {
				t.Errorf("q=%q: got %v, want %v", tt.q, got, tt.want)
			}
		})
	}
	t.Run("a merged search pages by cursor", func(t *testing.T) {
		var p pageOut
		h.call(t, "GET", "/api/v1/tickets?limit=1&q=siti", tok, nil).must(t, http.StatusOK).decode(t, &p)
		if got := ids(p.Items); !slices.Equal(got, []int64{t3.ID}) || p.NextCursor == nil {
			t.Fatalf("first page %v, cursor %v", got, p.NextCursor)
		}
		var next pageOut
		h.call(t, "GET", "/api/v1/tickets?limit=1&q=siti&cursor="+url.QueryEscape(*p.NextCursor), tok, nil).
			must(t, http.StatusOK).decode(t, &next)
		if got := ids(next.Items); !slices.Equal(got, []int64{t1.ID}) || next.NextCursor != nil {
			t.Fatalf("second page %v, cursor %v", got, next.NextCursor)
		}
	})
}
