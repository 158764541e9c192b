package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/aduan/aduan/pkg/store"
)

type mailPage struct {
	Items []struct {
		ID     int64  `json:"id"`
		Reason string `json:"reason"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
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
