package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestRevealReasons(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var out struct {
		Items     []string `json:"items"`
		MaxLength int      `json:"max_length"`
	}
	h.call(t, "GET", "/api/v1/reveal-reasons", h.token(t, h.agent), nil).must(t, http.StatusOK).decode(t, &out)
	if !slices.Equal(out.Items, ticket.RevealReasons()) || out.MaxLength != ticket.MaxRevealReason {
		t.Errorf("reveal reasons %+v, want %v up to %d characters", out, ticket.RevealReasons(), ticket.MaxRevealReason)
	}
	if !slices.Contains(out.Items, "Verifikasi identitas penelepon") {
		t.Errorf("reveal reasons %v lack the caller check", out.Items)
	}
	h.call(t, "GET", "/api/v1/reveal-reasons", "", nil).expectError(t, http.StatusUnauthorized, "unauthorized")
}

// A complaint mail as people write it: the form in the text and again in
// an HTML table, the NIK grouped, the phone in the +62 form.
const (
	mailNIK     = "3201014508850001"
	mailSubject = "Sertifikat belum muncul NIK 3201014508850001"
	mailText    = "Yth. Admin,\n\nNama Lengkap: Siti Aminah\nNIK: 3201 0145 0885 0001\n" +
		"Tempat, Tanggal Lahir: Bandung, 05-08-1985\nNomor HP: +62 812-3456-7890\n" +
		"Keluhan: sertifikat dosis 2 belum muncul. Bisa juga hubungi suami saya di 0813.1111.2222.\n"
	mailHTML = "<table><tr><td>NIK</td><td>3201.0145.0885.0001</td></tr>" +
		"<tr><td>Tgl Lahir</td><td>05/08/1985</td></tr>" +
		`<tr><td>HP</td><td><a href="tel:+6281234567890">0812-3456-7890</a></td></tr></table>`
)

// personal are what must not show in what agents read by default, however
// it is grouped.
var personal = []*regexp.Regexp{
	regexp.MustCompile(`3201\D?0145\D?0885\D?0001`),
	regexp.MustCompile(`812\D?3456\D?7890`),
	regexp.MustCompile(`813\D?1111\D?2222`),
	regexp.MustCompile(`05\D08\D1985`),
}

func TestMessagesMasked(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	born := time.Date(1985, 8, 5, 0, 0, 0, 0, time.UTC)
	res, err := h.app.Ingester.Ingest(ctx, intake.Inbound{Channel: ticket.ChannelEmail, SourceID: "<form@warga.test>",
		Category: ticket.CategoryCertificateMissing, Subject: mailSubject, Body: mailText, HTML: mailHTML,
		Complainant: ticket.Complainant{Name: "Siti Aminah", Email: "siti@warga.test", NIK: mailNIK, BirthDate: &born},
		Attachments: []ticket.Attachment{{Filename: "KTP_" + mailNIK + ".jpg", ContentType: "image/jpeg",
			RefusedReason: ticket.RefusedTooLarge}}})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	tok := h.token(t, h.agent)
	ref := res.Ticket.Number

	for _, path := range []string{"/api/v1/tickets/" + ref, "/api/v1/tickets?channel=email",
		"/api/v1/complainants?nik=" + mailNIK} {
		r := h.call(t, "GET", path, tok, nil).must(t, http.StatusOK)
		for _, re := range personal {
			if loc := re.FindIndex(r.Body); loc != nil {
				t.Errorf("GET %s shows %q in clear: %s", path, r.Body[loc[0]:loc[1]], r.Body)
			}
		}
	}

	var tk struct {
		Subject     string `json:"subject"`
		Description string `json:"description"`
		Messages    []struct {
			ID      int64  `json:"id"`
			Subject string `json:"subject"`
			Body    string `json:"body"`
			HTML    string `json:"html"`
		} `json:"messages"`
		Attachments []struct {
			Filename string `json:"filename"`
		} `json:"attachments"`
	}
	h.call(t, "GET", "/api/v1/tickets/"+ref, tok, nil).must(t, http.StatusOK).decode(t, &tk)
	if len(tk.Messages) != 1 || len(tk.Attachments) != 1 {
		t.Fatalf("ticket has %d messages and %d attachments, want 1 and 1", len(tk.Messages), len(tk.Attachments))
	}
	m := tk.Messages[0]
	for _, want := range []struct{ where, got, want string }{
		{"body", m.Body, "NIK: **************01\nTempat, Tanggal Lahir: Bandung, **-**-****\nNomor HP: +62812******90"},
		{"body", m.Body, "hubungi suami saya di 0813******22."},
		{"html", m.HTML, "<td>**************01</td>"},
		{"html", m.HTML, `<a href="tel:+62812******90">0812******90</a>`},
		{"message subject", m.Subject, "NIK **************01"},
		{"ticket subject", tk.Subject, "NIK **************01"},
		{"description", tk.Description, "NIK: **************01"},
		{"file name", tk.Attachments[0].Filename, "KTP_**************01.jpg"},
	} {
		if !strings.Contains(want.got, want.want) {
			t.Errorf("%s %q, want it to contain %q", want.where, want.got, want.want)
		}
	}

	t.Run("reveal", func(t *testing.T) {
		path := fmt.Sprintf("/api/v1/tickets/%s/messages/%d/reveal", ref, m.ID)
		r := h.call(t, "POST", path, tok, map[string]string{"reason": "Pencocokan NIK dengan foto KTP"}).must(t, http.StatusOK)
		var out struct {
			ID                  int64
			Subject, Body, HTML string
		}
		r.decode(t, &out)
		if out.ID != m.ID || out.Subject != mailSubject || out.Body != mailText || out.HTML != mailHTML {
			t.Errorf("revealed %+v, want the message as written", out)
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
		audit, err := h.app.Store.Audit(ctx, fmt.Sprintf("message:%d", m.ID))
		if err != nil {
			t.Fatal(err)
		}
		if len(audit) != 1 || audit[0].ActorID != h.agent.ID || audit[0].Action != "message_reveal" ||
			audit[0].Reason != "Pencocokan NIK dengan foto KTP" {
			t.Errorf("audit %+v, want one message_reveal by the agent with the reason", audit)
		}
	})

	t.Run("refused reveals", func(t *testing.T) {
		other := h.createTicket(t, tok, newCall(nikN(3), phoneN(3)))
		reason := map[string]string{"reason": "Koreksi data sertifikat"}
		path := fmt.Sprintf("/api/v1/tickets/%s/messages/%d/reveal", ref, m.ID)
		h.call(t, "POST", path, tok, nil).expectError(t, http.StatusUnprocessableEntity, "invalid", "reason")
		h.call(t, "POST", path, tok, map[string]string{"reason": ""}).expectError(t, http.StatusUnprocessableEntity, "invalid", "reason")
		h.call(t, "POST", path, tok, map[string]string{"reason": strings.Repeat("é", ticket.MaxRevealReason+1)}).
			expectError(t, http.StatusUnprocessableEntity, "invalid", "reason")
		h.call(t, "POST", fmt.Sprintf("/api/v1/tickets/%s/messages/%d/reveal", other.Number, m.ID), tok, reason).
			expectError(t, http.StatusNotFound, "not_found")
		h.call(t, "POST", fmt.Sprintf("/api/v1/tickets/%s/messages/999999/reveal", ref), tok, reason).
			expectError(t, http.StatusNotFound, "not_found")
		h.call(t, "POST", "/api/v1/tickets/PL-000000-000000/messages/1/reveal", tok, reason).
			expectError(t, http.StatusNotFound, "not_found")
		h.call(t, "POST", path, "", reason).expectError(t, http.StatusUnauthorized, "unauthorized")
		if audit, _ := h.app.Store.Audit(ctx, fmt.Sprintf("message:%d", m.ID)); len(audit) != 1 {
			t.Errorf("%d audit rows, want the one reveal: refused reveals are not audited", len(audit))
		}
	})
}

func TestCallDescriptionMasked(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	call := newCall(nikN(1), phoneN(1))
	call.Description = "Penelepon menyebut NIK ibunya 3201 0145 0885 0001 dan HP 0813-1111-2222"
	r := h.call(t, "POST", "/api/v1/tickets", tok, call).must(t, http.StatusCreated)
	for _, re := range personal {
		if loc := re.FindIndex(r.Body); loc != nil {
			t.Errorf("the created ticket shows %q in clear: %s", r.Body[loc[0]:loc[1]], r.Body)
		}
	}
	var tk ticketOut
	r.decode(t, &tk)
	if want := "NIK ibunya **************01 dan HP 0813******22"; !strings.Contains(tk.Description, want) {
		t.Errorf("description %q, want it to contain %q", tk.Description, want)
	}
}
