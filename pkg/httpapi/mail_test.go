package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

type mailPage struct {
	Items []struct {
		ID     int64  `json:"id"`
		Reason string `json:"reason"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// An agent reads a mail as it came: its sanitised HTML, the problems met
// reading it, and which of the messages a machine sent.
func TestTicketShowsMailAsItCame(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	res, err := h.app.Ingester.Ingest(ctx, intake.Inbound{Channel: ticket.ChannelEmail, SourceID: "<m1@warga.test>",
		Category: ticket.CategoryCertificateMissing, Body: "Sertifikat saya belum keluar.",
		HTML:         "<p>Sertifikat saya <b>belum keluar</b>.</p>",
		ReadWarnings: []string{"Malformed Base64: illegal base64 data at input byte 76"},
		Complainant:  ticket.Complainant{Name: "Ani", Email: "ani@warga.test"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.app.Ingester.Ingest(ctx, intake.Inbound{Channel: ticket.ChannelEmail, SourceID: "<ooo@warga.test>",
		ThreadTicketID: res.Ticket.ID, Automatic: "auto-submitted", Body: "Saya sedang cuti.",
		Complainant: ticket.Complainant{Email: "ani@warga.test"}}); err != nil {
		t.Fatal(err)
	}
	got := h.ticket(t, h.token(t, h.agent), fmt.Sprint(res.Ticket.ID))
	if len(got.Messages) != 2 {
		t.Fatalf("messages %+v, want the mail and the auto-reply", got.Messages)
	}
	mail, ooo := got.Messages[0], got.Messages[1]
	if mail.HTML != "<p>Sertifikat saya <b>belum keluar</b>.</p>" || len(mail.Warnings) != 1 || mail.Kind != "" {
		t.Errorf("the complaint reads %+v, want its HTML, its warning and no kind", mail)
	}
	if ooo.Kind != "automatic" || ooo.Automatic != "auto-submitted" || ooo.HTML != "" || ooo.Warnings == nil {
		t.Errorf("the auto-reply reads %+v, want kind automatic, why, no HTML and an empty list of warnings", ooo)
	}
}

func TestMailListsForAdmins(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for i := range 3 {
		if err := h.app.Store.AddIgnoredMail(ctx, store.IgnoredMail{SourceID: fmt.Sprintf("<ooo-%d@warga.test>", i),
			FromAddress: "warga@warga.test", Subject: "Balasan Otomatis", Reason: "auto-submitted"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.app.Store.Quarantine(ctx, store.QuarantinedMail{Mailbox: "pedulilindungi@kemkes.test@127.0.0.1:1143/INBOX",
		UIDValidity: 7, UID: 42, RawSHA256: "ab", Size: 12, Reason: "parse: no headers"}); err != nil {
		t.Fatal(err)
	}
	admin := h.token(t, h.admin)

	var first, second mailPage
	h.call(t, "GET", "/api/v1/mail/ignored?limit=2", admin, nil).must(t, http.StatusOK).decode(t, &first)
	if len(first.Items) != 2 || first.NextCursor == nil {
		t.Fatalf("first page %+v, want 2 items and a cursor", first)
	}
	h.call(t, "GET", "/api/v1/mail/ignored?limit=2&cursor="+*first.NextCursor, admin, nil).
		must(t, http.StatusOK).decode(t, &second)
	if len(second.Items) != 1 || second.NextCursor != nil || second.Items[0].ID >= first.Items[1].ID {
		t.Fatalf("second page %+v, want the oldest one and no cursor", second)
	}
	var q mailPage
	h.call(t, "GET", "/api/v1/mail/quarantine", admin, nil).must(t, http.StatusOK).decode(t, &q)
	if len(q.Items) != 1 || q.Items[0].Reason != "parse: no headers" {
		t.Fatalf("quarantine %+v", q)
	}

	for _, path := range []string{"/api/v1/mail/ignored", "/api/v1/mail/quarantine"} {
		h.call(t, "GET", path, h.token(t, h.supervisor), nil).expectError(t, http.StatusForbidden, "forbidden")
		h.call(t, "GET", path+"?limit=0", admin, nil).expectError(t, http.StatusUnprocessableEntity, "invalid", "limit")
		h.call(t, "GET", path+"?cursor=zz", admin, nil).expectError(t, http.StatusUnprocessableEntity, "invalid", "cursor")
	}
}
