package synth_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
	"github.com/aduan/aduan/scripts/bench/synth"
)

// The people the benchmarks use are valid by Aduan's own rules and
// distinct, at the edges of every range they are drawn from.
func TestPeopleValidAndDistinct(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	niks, phones := map[string]int{}, map[string]int{}
	var ks []int
	for _, base := range []int{0, synth.PoolLimit - 1000, synth.NewCallers(0), synth.NewCallers(9),
		synth.NewCallers(synth.RunsLimit), synth.MaxPeople - 1000} {
		for k := base; k < base+1000; k++ {
			ks = append(ks, k)
		}
	}
	for k := 0; k < synth.MaxPeople; k += 9999 * 7 { // every birth date the serials roll over to
		ks = append(ks, k)
	}
	for _, k := range ks {
		p := synth.PersonOf(k)
		info, err := ticket.ParseNIK(p.NIK, now)
		if err != nil {
			t.Fatalf("person %d: NIK %s: %v", k, p.NIK, err)
		}
		if !info.MatchesBirthDate(p.BirthDate) {
			t.Errorf("person %d: NIK %s does not encode the birth date %s", k, p.NIK, p.BirthDate.Format(time.DateOnly))
		}
		phone, err := ticket.NormalizePhone(p.PhoneText())
		if err != nil || phone != p.PhoneE164() {
			t.Errorf("person %d: phone %s normalizes to %q, %v; want %s", k, p.PhoneText(), phone, err, p.PhoneE164())
		}
		if j, ok := niks[p.NIK]; ok && j != k {
			t.Errorf("persons %d and %d share NIK %s", j, k, p.NIK)
		}
		if j, ok := phones[p.Phone]; ok && j != k {
			t.Errorf("persons %d and %d share phone %s", j, k, p.Phone)
		}
		niks[p.NIK], phones[p.Phone] = k, k
	}
}

// Every other call is from a returning complainant; the rest are new and
// never repeat; the same run makes the same calls.
func TestCalls(t *testing.T) {
	const pool = 50
	a, err := synth.NewCalls(3, pool)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := synth.NewCalls(3, pool)
	returning := map[string]bool{}
	for k := range pool {
		returning[synth.PersonOf(k).NIK] = true
	}
	seen, back := map[string]bool{}, 0
	for i := range 1000 {
		c := a.Next()
		if again := b.Next(); again != c {
			t.Fatalf("call %d differs between two generators of the same run: %+v, %+v", i, c, again)
		}
		if returning[c.Complainant.NIK] {
			back++
			continue
		}
		if seen[c.Complainant.NIK] {
			t.Errorf("call %d: new caller %s already called", i, c.Complainant.NIK)
		}
		seen[c.Complainant.NIK] = true
		if c.Description != synth.Descriptions[c.Category] || c.Channel != ticket.ChannelCallCenter {
			t.Errorf("call %d: %+v", i, c)
		}
	}
	if back != 500 {
		t.Errorf("%d of 1000 calls from returning complainants, want 500", back)
	}
	var body map[string]any
	if err := json.Unmarshal(a.NextJSON(), &body); err != nil || body["complainant"] == nil {
		t.Errorf("JSON body %v, %v", body, err)
	}
}

// The history's rows hold together as the database's rules want them, and
// follow the distributions the report benchmark describes.
func TestHistory(t *testing.T) {
	h := synth.History{Start: time.Date(2021, 7, 5, 0, 0, 0, 0, ticket.Jakarta), Days: 364, Total: 20000, Complainants: 100}
	end := h.Start.AddDate(0, 0, h.Days)
	channels, categories := map[ticket.Channel]int{}, map[ticket.Category]int{}
	var prev time.Time
	for id := int64(1); id <= h.Total; id++ {
		tk := h.TicketOf(id)
		if tk.Created.Before(prev) || tk.Created.Before(h.Start) || !tk.Created.Before(end) {
			t.Fatalf("ticket %d created %s: not in id order within the history", id, tk.Created)
		}
		prev = tk.Created
		if tk.ComplainantID < 1 || tk.ComplainantID > h.Complainants {
			t.Fatalf("ticket %d: complainant %d", id, tk.ComplainantID)
		}
		finished := tk.Status == ticket.StatusResolved || tk.Status == ticket.StatusClosed
		if finished != (tk.Finished != nil) || (tk.Resolved != nil && tk.Finished != tk.Resolved) {
			t.Fatalf("ticket %d: status %s, resolved %v, finished %v", id, tk.Status, tk.Resolved, tk.Finished)
		}
		for _, at := range []*time.Time{tk.Resolved, tk.Finished, tk.FirstResponded} {
			if at != nil && (at.Before(tk.Created) || at.After(end)) {
				t.Fatalf("ticket %d: %s outside its life (created %s, history ends %s)", id, at, tk.Created, end)
			}
		}
		channels[tk.Channel]++
		categories[tk.Category]++
	}
	near := func(what string, got int, share float64) {
		if want := share * float64(h.Total); float64(got) < 0.9*want || float64(got) > 1.1*want {
			t.Errorf("%s: %d of %d, want about %.0f", what, got, h.Total, want)
		}
	}
	near("email", channels[ticket.ChannelEmail], 0.55)
	near("callcenter", channels[ticket.ChannelCallCenter], 0.33)
	near("certificate_missing", categories[ticket.CategoryCertificateMissing], 0.45)
	near("personal_data_change", categories[ticket.CategoryPersonalDataChange], 0.20)

	var buf bytes.Buffer
	if err := h.WriteTickets(&buf, 11, 20); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 10 {
		t.Fatalf("%d CSV rows, %v", len(rows), err)
	}
	if cols := strings.Split(synth.TicketColumns, ", "); len(rows[0]) != len(cols) || rows[0][0] != "11" ||
		!strings.HasPrefix(rows[0][1], ticket.NumberPrefix+"-") {
		t.Errorf("first row %q for columns %q", rows[0], cols)
	}
	buf.Reset()
	if err := h.WriteComplainants(&buf); err != nil {
		t.Fatal(err)
	}
	if rows, err := csv.NewReader(&buf).ReadAll(); err != nil || len(rows) != 100 ||
		len(rows[0]) != len(strings.Split(synth.ComplainantColumns, ", ")) {
		t.Errorf("complainants: %d rows (%v): %q", len(rows), err, rows)
	}
}
