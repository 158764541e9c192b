package email_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/intake/email"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestRelease(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rules, err := email.ParseCategoryRules(configs.Categories)
	if err != nil {
		t.Fatal(err)
	}
	ing := intake.NewIngester(s, quiet)
	rel := email.NewRelease(s, blobs, email.NewAdapter(rules, blobs, email.Limits{}), ing, quiet)
	admin := ticket.User{Email: "admin@kemkes.go.id", Name: "Admin", Role: ticket.RoleAdmin}
	if err := s.CreateUser(ctx, &admin, "hash"); err != nil {
		t.Fatal(err)
	}
	put := func(name string) string {
		raw, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		sum, _, err := blobs.Put(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}

	t.Run("ignored mail opens a ticket", func(t *testing.T) {
		sum := put("auto-reply.eml")
		// What the poller does with it: automatic, so kept as ignored.
		m, err := email.Parse(mustRead(t, "testdata/auto-reply.eml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddIgnoredMail(ctx, store.IgnoredMail{SourceID: email.SourceID(m, nil), RawSHA256: sum,
			FromAddress: "x@example.id", Reason: "auto-reply"}); err != nil {
			t.Fatal(err)
		}
		list, _ := s.IgnoredMails(ctx, 0, 10)
		res, err := rel.ReleaseIgnored(ctx, list[0].ID, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created || res.Ticket.Number == "" || res.Ignored {
			t.Fatalf("release: %+v, want a new ticket", res)
		}
		if n := storetest.Count(t, dbURL, `SELECT count(*) FROM ignored_mail`); n != 0 {
			t.Errorf("%d ignored mails left, want the released one off the list", n)
		}
		if n := storetest.Count(t, dbURL, `SELECT count(*) FROM audit_log WHERE actor_id = $1 AND action = 'mail_release'
			AND subject = $2 AND reason = $3`, admin.ID, "ignored_mail:"+itoa(list[0].ID), "tiket "+res.Ticket.Number); n != 1 {
			t.Errorf("%d audit rows for the release, want 1", n)
		}
		if n := storetest.Count(t, dbURL, `SELECT count(*) FROM outbox WHERE task_type = 'notify:ack'`); n != 1 {
			t.Errorf("%d acknowledgements queued, want 1: the admin said a person wrote it", n)
		}
		if _, err := rel.ReleaseIgnored(ctx, list[0].ID, admin.ID); ticket.ErrorCode(err) != ticket.ENOTFOUND {
			t.Errorf("releasing it again: %v, want ENOTFOUND", err)
		}
	})

	t.Run("quarantined mail is taken in again", func(t *testing.T) {
		sum := put("plain.eml")
		if err := s.Quarantine(ctx, store.QuarantinedMail{Mailbox: "inbox", UIDValidity: 1, UID: 7, RawSHA256: sum,
			Size: 100, Reason: "ingest: database said no"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Quarantine(ctx, store.QuarantinedMail{Mailbox: "inbox", UIDValidity: 1, UID: 8,
			Reason: "too large to keep"}); err != nil {
			t.Fatal(err)
		}
		list, _ := s.QuarantinedMails(ctx, 0, 10) // newest first
		noBytes, kept := list[0], list[1]
		res, err := rel.RetryQuarantined(ctx, kept.ID, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created || res.Ticket.Channel != ticket.ChannelEmail {
			t.Fatalf("retry: %+v, want a new email ticket", res)
		}
		if _, err := s.QuarantinedMailByID(ctx, kept.ID); ticket.ErrorCode(err) != ticket.ENOTFOUND {
			t.Errorf("the mail taken in is still quarantined: %v", err)
		}
		if n := storetest.Count(t, dbURL, `SELECT count(*) FROM audit_log WHERE actor_id = $1 AND action = 'mail_retry'`,
			admin.ID); n != 1 {
			t.Errorf("%d audit rows for the retry, want 1", n)
		}
		if _, err := rel.RetryQuarantined(ctx, noBytes.ID, admin.ID); ticket.ErrorCode(err) != ticket.EINVALID {
			t.Errorf("retrying a mail whose bytes were never kept: %v, want EINVALID", err)
		}
		if _, err := s.QuarantinedMailByID(ctx, noBytes.ID); err != nil {
			t.Errorf("a failed retry took the mail off the list: %v", err)
		}
	})
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
