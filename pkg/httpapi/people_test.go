package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/ticket"
)

func TestFindComplainants(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	nik := "3201010101900001"
	first := h.createTicket(t, tok, newCall(nik, "0811-1050-0567"))
	second := h.createTicket(t, tok, newCall(nik, "0811-1050-0567"))
	h.createTicket(t, tok, newCall(nikN(7), phoneN(7))) // someone else

	lookups := []url.Values{
		{"nik": {nik}},
		{"nik": {"3201.0101.0190.0001"}},
		{"phone": {"0811-1050-0567"}},
		{"phone": {"+6281110500567"}},
		{"phone": {"6281110500567"}},
		{"phone": {"81110500567"}},
		{"phone": {"+62 811 1050 0567"}},
	}
	for _, q := range lookups {
		t.Run(q.Encode(), func(t *testing.T) {
			r := h.call(t, "GET", "/api/v1/complainants?"+q.Encode(), tok, nil).must(t, http.StatusOK)
			var out struct{ Items []complainantOut }
			r.decode(t, &out)
			if len(out.Items) != 1 || out.Items[0].ID != first.Complainant.ID {
				t.Fatalf("found %s, want complainant %d", r.Body, first.Complainant.ID)
			}
			c := out.Items[0]
			if c.NIKMasked != "**************01" || c.Phone != "+6281110500567" {
				t.Errorf("complainant %+v", c)
			}
			if got := ids(c.Tickets); !slices.Equal(got, []int64{second.ID, first.ID}) {
				t.Errorf("tickets %v, want [%d %d] newest first", got, second.ID, first.ID)
			}
			if bytes.Contains(r.Body, []byte(nik)) {
				t.Errorf("the lookup answer carries the full NIK")
			}
		})
	}
	t.Run("nobody", func(t *testing.T) {
		var out struct{ Items []complainantOut }
		h.call(t, "GET", "/api/v1/complainants?nik="+nikN(99), tok, nil).must(t, http.StatusOK).decode(t, &out)
		if out.Items == nil || len(out.Items) != 0 {
			t.Errorf("items %v, want []", out.Items)
		}
	})
	bad := []struct{ query, field string }{
		{"", "nik"},
		{"nik=" + nik + "&phone=081110500567", "nik"},
		{"nik=12345", "nik"},
		{"phone=abc", "phone"},
	}
	for _, tt := range bad {
		t.Run("bad "+tt.query, func(t *testing.T) {
			h.call(t, "GET", "/api/v1/complainants?"+tt.query, tok, nil).
				expectError(t, http.StatusUnprocessableEntity, "invalid", tt.field)
		})
	}
}

func TestRevealNIK(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	nik := nikN(1)
	c := h.createTicket(t, h.token(t, h.agent), newCall(nik, phoneN(1))).Complainant
	subject := fmt.Sprintf("complainant:%d", c.ID)
	path := fmt.Sprintf("/api/v1/complainants/%d/reveal", c.ID)
	tests := []struct {
		name       string
		user       ticket.User
		reason     string
		wantReason string // as audited
	}{
		{"agent with a listed reason", h.agent, "Verifikasi identitas penelepon", "Verifikasi identitas penelepon"},
		{"supervisor with a reason of their own", h.supervisor, "  Pelapor minta cek data di telepon ", "Pelapor minta cek data di telepon"},
		{"admin naming the NIK in the reason", h.admin, "Cek NIK " + nik, "Cek NIK " + ticket.MaskNIK(nik)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.call(t, "POST", path, h.token(t, tt.user), map[string]string{"reason": tt.reason}).must(t, http.StatusOK)
			var out struct{ NIK string }
			r.decode(t, &out)
			if out.NIK != nik {
				t.Errorf("revealed %q, want %q", out.NIK, nik)
			}
			if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			audit, err := h.app.Store.Audit(context.Background(), subject)
			if err != nil {
				t.Fatal(err)
			}
			if len(audit) != i+1 {
				t.Fatalf("%d audit rows after %d reveals", len(audit), i+1)
			}
			last := audit[i]
			if last.ActorID != tt.user.ID || last.Action != "nik_reveal" || last.Reason != tt.wantReason {
				t.Errorf("audit row %+v, want nik_reveal by %d because %q", last, tt.user.ID, tt.wantReason)
			}
		})
	}
	tok := h.token(t, h.agent)
	h.call(t, "POST", "/api/v1/complainants/999999/reveal", tok, map[string]string{"reason": "Koreksi data sertifikat"}).
		expectError(t, http.StatusNotFound, "not_found")
	h.call(t, "POST", path, tok, map[string]string{"why": "x"}).expectError(t, http.StatusBadRequest, "malformed")
	for _, bad := range []struct {
		name string
		body any
	}{
		{"no body", nil},
		{"no reason", map[string]string{}},
		{"blank reason", map[string]string{"reason": " \t "}},
		{"reason too long", map[string]string{"reason": strings.Repeat("x", ticket.MaxRevealReason+1)}},
	} {
		t.Run(bad.name, func(t *testing.T) {
			h.call(t, "POST", path, tok, bad.body).expectError(t, http.StatusUnprocessableEntity, "invalid", "reason")
		})
	}
	// A NUL is refused at the edge, as in every JSON string, still naming the field.
	h.call(t, "POST", path, tok, map[string]string{"reason": "cek\x00data"}).
		expectError(t, http.StatusBadRequest, "malformed", "reason")
	if audit, _ := h.app.Store.Audit(context.Background(), subject); len(audit) != len(tests) {
		t.Errorf("%d audit rows, want %d: refused reveals are not audited", len(audit), len(tests))
	}
}

func TestAgentsRoles(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	agent, sup, admin := h.token(t, h.agent), h.token(t, h.supervisor), h.token(t, h.admin)
	path := fmt.Sprintf("/api/v1/agents/%d", h.agent2.ID)
	change := map[string]any{"queues": []string{"sertifikat", "data-pribadi"}, "capacity": 5}

	h.call(t, "GET", "/api/v1/agents", agent, nil).expectError(t, http.StatusForbidden, "forbidden")
	h.call(t, "PATCH", path, agent, change).expectError(t, http.StatusForbidden, "forbidden")

	for _, tok := range []string{sup, admin} {
		var list struct{ Items []userOut }
		h.call(t, "GET", "/api/v1/agents", tok, nil).must(t, http.StatusOK).decode(t, &list)
		var got []int64
		for _, u := range list.Items {
			got = append(got, u.ID)
		}
		if want := []int64{h.agent.ID, h.agent2.ID, h.supervisor.ID}; !slices.Equal(got, want) {
			t.Errorf("agents %v, want %v", got, want)
		}
		for _, u := range list.Items {
			if u.ID == h.agent2.ID && (u.Capacity != ticket.DefaultCapacity || len(u.Queues) != 0 || u.Presence != "available") {
				t.Errorf("agent 2 is %+v before any change; a refused PATCH changed it or defaults are wrong", u)
			}
		}
	}

	var u userOut
	h.call(t, "PATCH", path, sup, change).must(t, http.StatusOK).decode(t, &u)
	if u.Capacity != 5 || !slices.Equal(u.Queues, []string{"sertifikat", "data-pribadi"}) {
		t.Errorf("after PATCH agent is %+v", u)
	}
	h.call(t, "PATCH", path, sup, map[string]any{"capacity": 501}).
		expectError(t, http.StatusUnprocessableEntity, "invalid", "capacity")
	h.call(t, "PATCH", "/api/v1/agents/999999", sup, map[string]any{"capacity": 3}).
		expectError(t, http.StatusNotFound, "not_found")
}

func TestPresence(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	me := func() userOut {
		var u userOut
		h.call(t, "GET", "/api/v1/me", tok, nil).must(t, http.StatusOK).decode(t, &u)
		return u
	}
	if p := me().Presence; p != "available" {
		t.Errorf("a new agent is %q, want available", p)
	}
	var u userOut
	h.call(t, "PUT", "/api/v1/agents/me/presence", tok, map[string]string{"presence": "away"}).
		must(t, http.StatusOK).decode(t, &u)
	if u.Presence != "away" || u.ID != h.agent.ID {
		t.Errorf("PUT presence answered %+v", u)
	}
	if p := me().Presence; p != "away" {
		t.Errorf("/me says %q after away", p)
	}
	for _, body := range []string{`{"presence":"busy"}`, `{"presence":""}`, `{}`} {
		h.call(t, "PUT", "/api/v1/agents/me/presence", tok, body).
			expectError(t, http.StatusUnprocessableEntity, "invalid", "presence")
	}
	if p := me().Presence; p != "away" {
		t.Errorf("/me says %q after refused changes, want away", p)
	}
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAttachmentDownload(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	tk := h.createTicket(t, tok, newCall(nikN(1), phoneN(1)))
	other := h.createTicket(t, tok, newCall(nikN(2), phoneN(2)))
	ctx := context.Background()
	stored := h.ticket(t, tok, tk.Number).Messages
	if len(stored) == 0 {
		t.Fatalf("ticket %s has no message to attach to", tk.Number)
	}
	message := stored[0].ID
	add := func(content []byte, a ticket.Attachment) ticket.Attachment {
		t.Helper()
		if content != nil {
			sum, size, err := h.app.Blobs.Put(bytes.NewReader(content))
			if err != nil {
				t.Fatal(err)
			}
			a.SHA256, a.Size, a.Stored = sum, size, true
		}
		a.TicketID, a.MessageID = tk.ID, message
		if err := h.app.Store.AddAttachment(ctx, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	img := pngBytes(t)
	photo := add(img, ticket.Attachment{Filename: "ktp.png", ContentType: "image/png", Kind: ticket.KindKTP})
	pdf := add([]byte("%PDF-1.4 fake"), ticket.Attachment{Filename: "kartu.pdf", ContentType: "application/pdf"})
	refused := add(nil, ticket.Attachment{Filename: "besar.jpg", ContentType: "image/jpeg", RefusedReason: ticket.RefusedTooLarge})
	link := func(ref string, id int64) string { return fmt.Sprintf("/api/v1/tickets/%s/attachments/%d", ref, id) }
	audits := func(id int64) []ticket.AuditEntry {
		a, err := h.app.Store.Audit(ctx, fmt.Sprintf("attachment:%d", id))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	r := h.call(t, "GET", link(tk.Number, photo.ID), tok, nil).must(t, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("Content-Type %q, want image/png", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline") || !strings.Contains(cd, "ktp.png") {
		t.Errorf("Content-Disposition %q, want inline with the filename", cd)
	}
	if !bytes.Equal(r.Body, img) {
		t.Errorf("downloaded %d bytes, not the %d stored", len(r.Body), len(img))
	}
	if a := audits(photo.ID); len(a) != 1 || a[0].ActorID != h.agent.ID || a[0].Action != "attachment_download" {
		t.Errorf("audit %+v, want one attachment_download by the agent", a)
	}

	r = h.call(t, "GET", link(fmt.Sprint(tk.ID), pdf.ID), tok, nil).must(t, http.StatusOK)
	if ct, cd := r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"); ct != "application/octet-stream" ||
		!strings.HasPrefix(cd, "attachment") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("a PDF is served as %q, %q; want a nosniff octet-stream download", ct, cd)
	}

	got := h.ticket(t, tok, tk.Number)
	if !slices.ContainsFunc(got.Attachments, func(a attachmentOut) bool {
		return a.ID == photo.ID && a.Stored && a.SHA256 == photo.SHA256
	}) {
		t.Errorf("ticket attachments %+v lack the photo", got.Attachments)
	}
	for _, tt := range []struct{ name, path string }{
		{"refused", link(tk.Number, refused.ID)},
		{"another ticket's", link(other.Number, photo.ID)},
		{"unknown", link(tk.Number, 999999)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h.call(t, "GET", tt.path, tok, nil).expectError(t, http.StatusNotFound, "not_found")
		})
	}
	if e := h.call(t, "GET", link(tk.Number, refused.ID), tok, nil).apiError(t); !strings.Contains(e.Error.Message, "batas ukuran") {
		t.Errorf("refused download says %q; want it to name the size limit", e.Error.Message)
	}
	if a := audits(refused.ID); len(a) != 0 {
		t.Errorf("a refused attachment was audited as downloaded: %+v", a)
	}
	if a := audits(photo.ID); len(a) != 1 {
		t.Errorf("%d audit rows for the photo after refused downloads, want 1", len(a))
	}
}
