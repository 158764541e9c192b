package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/ticket"
)

// A legal hold is set and lifted by admins only, with a reason, shown in
// the ticket, audited, and keeps the ticket from retention's purge.
func TestLegalHold(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	res, err := h.app.Ingester.Ingest(ctx, intake.Inbound{Channel: ticket.ChannelEmail, SourceID: "<hold@warga.test>",
		Category: ticket.CategoryOther, Subject: "Sertifikat", Body: "NIK 3201014508850001",
		Complainant: ticket.Complainant{Name: "Siti Aminah", Email: "siti@warga.test", NIK: "3201014508850001"}})
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/tickets/" + res.Ticket.Number
	admin := h.token(t, h.admin)
	h.call(t, "PATCH", path, admin, map[string]any{"status": "closed"}).must(t, http.StatusOK)

	type holdTicket struct {
		ID        int64 `json:"id"`
		LegalHold *struct {
			Reason string `json:"reason"`
			SetBy  int64  `json:"set_by"`
		} `json:"legal_hold"`
		PurgedAt *time.Time `json:"purged_at"`
		Messages []struct {
			Body string `json:"body"`
		} `json:"messages"`
	}
	for _, u := range []ticket.User{h.agent, h.supervisor} {
		h.call(t, "PUT", path+"/hold", h.token(t, u), map[string]string{"reason": "Sengketa"}).
			expectError(t, http.StatusForbidden, "forbidden")
	}
	h.call(t, "PUT", path+"/hold", admin, map[string]string{"reason": " "}).
		expectError(t, http.StatusUnprocessableEntity, "invalid", "reason")
	var held holdTicket
	h.call(t, "PUT", path+"/hold", admin, map[string]string{"reason": "Permintaan penegak hukum"}).
		must(t, http.StatusOK).decode(t, &held)
	if held.LegalHold == nil || held.LegalHold.Reason != "Permintaan penegak hukum" || held.LegalHold.SetBy != h.admin.ID {
		t.Fatalf("after PUT hold: %+v", held.LegalHold)
	}

	purge := func() {
		t.Helper()
		p := h.app.Purger()
		p.Now = func() time.Time { return time.Now().AddDate(2, 0, 0) }
		if _, err := p.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	purge()
	var got holdTicket
	h.call(t, "GET", path, admin, nil).must(t, http.StatusOK).decode(t, &got)
	if got.PurgedAt != nil || got.LegalHold == nil || len(got.Messages) != 1 || got.Messages[0].Body == "" {
		t.Fatalf("a held ticket was purged: %+v", got)
	}

	h.call(t, "DELETE", path+"/hold", admin, map[string]string{"reason": "Perkara selesai"}).
		must(t, http.StatusOK).decode(t, &got)
	if got.LegalHold != nil {
		t.Fatalf("after DELETE hold: %+v", got.LegalHold)
	}
	audit, err := h.app.Store.Audit(ctx, "ticket:"+strconv.FormatInt(held.ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 2 || audit[0].Action != "legal_hold_set" || audit[0].Reason != "Permintaan penegak hukum" ||
		audit[1].Action != "legal_hold_clear" || audit[1].Reason != "Perkara selesai" || audit[1].ActorID != h.admin.ID {
		t.Fatalf("audit = %+v", audit)
	}

	purge()
	h.call(t, "GET", path, admin, nil).must(t, http.StatusOK).decode(t, &got)
	if got.PurgedAt == nil || len(got.Messages) != 1 || got.Messages[0].Body != "" {
		t.Fatalf("after the hold was lifted the ticket was not purged: %+v", got)
	}
	audit, err = h.app.Store.Audit(ctx, "ticket:"+strconv.FormatInt(held.ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	if last := audit[len(audit)-1]; len(audit) != 3 || last.Action != "retention_purge" || last.ActorID != 0 {
		t.Fatalf("audit after the purge = %+v", audit)
	}
}
