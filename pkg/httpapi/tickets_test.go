package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCreateTicket(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	nik := "3201010101900001"
	body := newCall(nik, "0811-1050-0567")

	r := h.call(t, "POST", "/api/v1/tickets", tok, body).must(t, http.StatusCreated)
	var first ticketOut
	r.decode(t, &first)
	if first.Complainant.NIKMasked != "**************01" {
		t.Errorf("nik_masked %q, want **************01", first.Complainant.NIKMasked)
	}
	if bytes.Contains(r.Body, []byte(nik)) {
		t.Errorf("the response carries the full NIK: %s", r.Body)
	}
	loc := r.Header.Get("Location")
	if loc != fmt.Sprintf("/api/v1/tickets/%d", first.ID) && loc != "/api/v1/tickets/"+first.Number {
		t.Errorf("Location %q, want the new ticket's URL", loc)
	}
	if strings.Contains(loc, nik) {
		t.Errorf("Location carries the NIK: %q", loc)
	}
	if first.Status != "new" || first.Channel != "callcenter" || first.Category != "certificate_missing" ||
		first.Complainant.Phone != "+6281110500567" || first.Complainant.Name != "Siti Aminah" {
		t.Errorf("created %s", r.Body)
	}
	t.Run("answer carries the call's message", func(t *testing.T) {
		if len(first.Messages) != 1 || first.Messages[0].Body != body.Description || first.Messages[0].Direction != "inbound" {
			t.Errorf("messages %+v, want the description as the one inbound message", first.Messages)
		}
	})
	if got := h.ticket(t, tok, first.Number).Messages; len(got) != 1 || got[0].Body != body.Description || got[0].Direction != "inbound" {
		t.Errorf("stored messages %+v, want the description as the one inbound message", got)
	}
	if len(first.Events) == 0 || first.Events[0].Kind != "created" {
		t.Errorf("events %+v, want created first", first.Events)
	}
	if len(first.ComplainantOpenTickets) != 0 {
		t.Errorf("a first-time caller has open tickets %v", ids(first.ComplainantOpenTickets))
	}
	if got := h.ticket(t, tok, strings.TrimPrefix(loc, "/api/v1/tickets/")); got.ID != first.ID {
		t.Errorf("GET Location found ticket %d, want %d", got.ID, first.ID)
	}

	// The same person calls again: the agent sees the earlier ticket.
	second := h.createTicket(t, tok, newCall(nik, "081110500567"))
	if second.Complainant.ID != first.Complainant.ID {
		t.Errorf("second call linked to complainant %d, want %d", second.Complainant.ID, first.Complainant.ID)
	}
	if got := ids(second.ComplainantOpenTickets); !slices.Equal(got, []int64{first.ID}) {
		t.Errorf("complainant_open_tickets %v, want [%d]", got, first.ID)
	}
}

func TestCreateTicketNIKRules(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	rejected := []struct{ name, nik string }{
		{"15 digits", "320101010190001"},
		{"17 digits", "32010101019000011"},
		{"letters", "32010101019000A1"},
		{"day 32", "3201013201900001"},
		{"day 00", "3201010001900001"},
		{"women's day 72", "3201017201900001"},
		{"month 13", "3201010113900001"},
		{"month 00", "3201010100900001"},
		{"31 February", "3201013102900001"},
		{"serial 0000", "3201010101900000"},
	}
	for i, tt := range rejected {
		t.Run(tt.name, func(t *testing.T) {
			r := h.call(t, "POST", "/api/v1/tickets", tok, newCall(tt.nik, phoneN(i+1)))
			e := r.expectError(t, http.StatusUnprocessableEntity, "invalid", "complainant.nik")
			if len(e.Error.Fields) != 1 {
				t.Errorf("fields %v, want only complainant.nik", e.Error.Fields)
			}
		})
	}
	t.Run("future date", func(t *testing.T) {
		// 23 Nov 1999 is tomorrow for a clock at 22 Nov 1999, and 2099 is
		// later still: no reading of the date is in the past.
		then := h.handlerAt(time.Date(1999, 11, 22, 12, 0, 0, 0, time.UTC))
		h.callOn(t, then, "POST", "/api/v1/tickets", tok, newCall("3201012311990001", phoneN(50))).
			expectError(t, http.StatusUnprocessableEntity, "invalid", "complainant.nik")
		// Today is not the future: the same clock takes it.
		h.callOn(t, then, "POST", "/api/v1/tickets", tok, newCall("3201012211990001", phoneN(51))).
			expect(t, http.StatusCreated)
	})
	if n := h.countTickets(t); n != 1 {
		t.Errorf("%d tickets after the rejected calls, want 1 (the accepted control)", n)
	}
	t.Run("unknown province is a warning", func(t *testing.T) {
		c := h.createTicket(t, tok, newCall("9901010101900001", phoneN(60)))
		// The warning must not name the code: beside the masked NIK it
		// would give back the digits the mask hides.
		if w := c.Complainant.NIKWarnings; len(w) != 1 || !strings.Contains(w[0], "wilayah") || strings.ContainsAny(w[0], "0123456789") {
			t.Errorf("nik_warnings %q, want one area warning naming no digits", w)
		}
		if c.Complainant.NIKMasked != "**************01" {
			t.Errorf("nik_masked %q", c.Complainant.NIKMasked)
		}
	})
}

func TestCreateTicketPhone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	accepted := []string{"0811-1050-0567", "+62 811 1050 0567", "6281110500567", "81110500567", "(0811) 1050.0567"}
	for i, phone := range accepted {
		t.Run(phone, func(t *testing.T) {
			// A NIK of their own each, so no earlier phone is kept on a shared person.
			c := h.createTicket(t, tok, newCall(nikN(i+1), phone))
			if c.Complainant.Phone != "+6281110500567" {
				t.Errorf("phone %q stored as %q, want +6281110500567", phone, c.Complainant.Phone)
			}
		})
	}
	for i, phone := range []string{"+1 555 1234", "abc", "0811", "021-1234567890123"} {
		t.Run(phone, func(t *testing.T) {
			h.call(t, "POST", "/api/v1/tickets", tok, newCall(nikN(100+i), phone)).
				expectError(t, http.StatusUnprocessableEntity, "invalid", "complainant.phone")
		})
	}
}

func TestCreateTicketRequiredFields(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	tests := []struct {
		name   string
		change func(*callIn)
		fields []string
	}{
		{"name", func(c *callIn) { c.Complainant.Name = "" }, []string{"complainant.name"}},
		{"blank name", func(c *callIn) { c.Complainant.Name = "   " }, []string{"complainant.name"}},
		{"category", func(c *callIn) { c.Category = "" }, []string{"category"}},
		{"unknown category", func(c *callIn) { c.Category = "sertifikat" }, []string{"category"}},
		{"description", func(c *callIn) { c.Description = "" }, []string{"description"}},
		{"nik", func(c *callIn) { c.Complainant.NIK = "" }, []string{"complainant.nik"}},
		{"phone", func(c *callIn) { c.Complainant.Phone = "" }, []string{"complainant.phone"}},
		{"channel", func(c *callIn) { c.Channel = "" }, []string{"channel"}},
		{"all at once", func(c *callIn) { *c = callIn{Channel: "callcenter"} },
			[]string{"complainant.name", "category", "description", "complainant.nik", "complainant.phone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := newCall(nikN(1), phoneN(1))
			tt.change(&body)
			e := h.call(t, "POST", "/api/v1/tickets", tok, body).
				expectError(t, http.StatusUnprocessableEntity, "invalid", tt.fields...)
			if len(e.Error.Fields) != len(tt.fields) {
				t.Errorf("fields %v, want exactly %v", e.Error.Fields, tt.fields)
			}
		})
	}
	if n := h.countTickets(t); n != 0 {
		t.Errorf("%d tickets after invalid requests, want 0", n)
	}
}

func TestCreateTicketMalformed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	huge := `{"channel":"callcenter","category":"other","description":"` + strings.Repeat("x", 1<<20) + `"}`
	tests := []struct {
		name   string
		body   string
		chunk  bool // no Content-Length, as a streamed upload
		status int
		code   string
		field  string
		skip   string
	}{
		{"cut short", `{"channel":"callcenter",`, false, 400, "malformed", "", ""},
		{"not JSON", `channel=callcenter`, false, 400, "malformed", "", ""},
		{"trailing data", `{"channel":"callcenter"} {}`, false, 400, "malformed", "", ""},
		{"empty", ``, false, 400, "malformed", "", ""},
		{"wrong type", `{"channel":"callcenter","description":42}`, false, 400, "malformed", "", ""},
		{"unknown field", `{"channel":"callcenter","nama":"Siti"}`, false, 400, "malformed", "nama", ""},
		{"unknown nested field", `{"channel":"callcenter","complainant":{"nama":"Siti"}}`, false, 400, "malformed", "complainant.nama", ""},
		{"wrong nested type", `{"channel":"callcenter","complainant":{"nik":3201010101900001}}`, false, 400, "malformed", "complainant.nik", ""},
		{"over 1 MiB", huge, false, 413, "too_large", "", ""},
		{"over 1 MiB streamed", huge, true, 413, "too_large", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip != "" {
				t.Skip(tt.skip)
			}
			mod := func(r *http.Request) {
				if tt.chunk {
					r.ContentLength = -1
				}
			}
			e := h.call(t, "POST", "/api/v1/tickets", tok, tt.body, mod).expectError(t, tt.status, tt.code)
			if _, named := e.Error.Fields[tt.field]; tt.field != "" && !named {
				t.Errorf("fields %v do not name %q", e.Error.Fields, tt.field)
			}
		})
	}
	if n := h.countTickets(t); n != 0 {
		t.Errorf("%d tickets after malformed requests, want 0", n)
	}
}

func TestCreateTicketIdempotency(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	key := withHeader("Idempotency-Key", "3f0c6a0e-call-0001")
	body := newCall(nikN(1), phoneN(1))
	earlier := h.createTicket(t, tok, body) // without a key: the caller's earlier ticket

	r1 := h.call(t, "POST", "/api/v1/tickets", tok, body, key).must(t, http.StatusCreated)
	r2 := h.call(t, "POST", "/api/v1/tickets", tok, body, key).must(t, http.StatusCreated)
	var t1, t2 ticketOut
	r1.decode(t, &t1)
	r2.decode(t, &t2)
	if t1.ID != t2.ID || t2.Number != t1.Number || t1.ID == earlier.ID {
		t.Errorf("the retry answered ticket %d, want %d", t2.ID, t1.ID)
	}
	if r1.Header.Get("Location") != r2.Header.Get("Location") {
		t.Errorf("Location %q on the retry, %q the first time", r2.Header.Get("Location"), r1.Header.Get("Location"))
	}
	t.Run("replay repeats the open tickets", func(t *testing.T) {
		if got := ids(t1.ComplainantOpenTickets); !slices.Equal(got, []int64{earlier.ID}) {
			t.Fatalf("first answer's complainant_open_tickets %v, want [%d]", got, earlier.ID)
		}
		if got := ids(t2.ComplainantOpenTickets); !slices.Equal(got, ids(t1.ComplainantOpenTickets)) {
			t.Errorf("replayed complainant_open_tickets %v, first answer had %v", got, ids(t1.ComplainantOpenTickets))
		}
	})
	if got := r1.Header.Get("Idempotent-Replayed"); got != "" {
		t.Errorf("first answer has Idempotent-Replayed %q", got)
	}
	if got := r2.Header.Get("Idempotent-Replayed"); got != "true" {
		t.Errorf("retry has Idempotent-Replayed %q, want true", got)
	}
	if n := h.countTickets(t); n != 2 {
		t.Errorf("%d tickets after a retried create, want 2 (the earlier one and the keyed one)", n)
	}

	other := body
	other.Description = "Isi yang lain sama sekali."
	h.call(t, "POST", "/api/v1/tickets", tok, other, key).expectError(t, http.StatusConflict, "conflict")
	if n := h.countTickets(t); n != 2 {
		t.Errorf("%d tickets after a reused key, want 2", n)
	}

	t.Run("concurrent retries of a new caller", func(t *testing.T) {
		body, key := newCall(nikN(2), phoneN(2)), withHeader("Idempotency-Key", "3f0c6a0e-call-0002")
		replies := make([]reply, 8)
		var wg sync.WaitGroup
		for i := range replies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				replies[i] = h.call(t, "POST", "/api/v1/tickets", tok, body, key)
			}()
		}
		wg.Wait()
		seen := map[int64]bool{}
		for _, r := range replies {
			if r.expect(t, http.StatusCreated) {
				var tk ticketOut
				r.decode(t, &tk)
				seen[tk.ID] = true
			}
		}
		if len(seen) != 1 {
			t.Errorf("concurrent retries answered tickets %v, want one", seen)
		}
		if n := h.countTickets(t); n != 3 {
			t.Errorf("%d tickets, want 3", n)
		}
	})
}

func TestCreateTicketSQLInjection(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	name := `Robert'); DROP TABLE complainants; --`
	desc := `x' OR '1'='1'; DELETE FROM tickets; -- "; TRUNCATE users CASCADE; \'`
	body := newCall(nikN(1), phoneN(1))
	body.Complainant.Name, body.Description = name, desc

	created := h.createTicket(t, tok, body)
	got := h.ticket(t, tok, created.Number)
	for _, tk := range []ticketOut{created, got} {
		if tk.Complainant.Name != name || tk.Description != desc {
			t.Errorf("stored name %q description %q, want them verbatim", tk.Complainant.Name, tk.Description)
		}
	}
	// Searching with it is a plain search too.
	if p := h.list(t, tok, url.Values{"q": {desc}}); len(p.Items) > 1 {
		t.Errorf("search with SQL text found %d tickets", len(p.Items))
	}
	// Every table is still there and working.
	h.createTicket(t, tok, newCall(nikN(2), phoneN(2)))
	if n := h.countTickets(t); n != 2 {
		t.Errorf("%d tickets, want 2", n)
	}
	h.call(t, "GET", "/api/v1/me", tok, nil).expect(t, http.StatusOK)
	var found struct{ Items []complainantOut }
	h.call(t, "GET", "/api/v1/complainants?nik="+nikN(1), tok, nil).must(t, http.StatusOK).decode(t, &found)
	if len(found.Items) != 1 || found.Items[0].Name != name {
		t.Errorf("complainant lookup %+v, want %q", found.Items, name)
	}
}
