package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestConversationRoundTrip(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	exp := time.Date(2021, 11, 17, 9, 15, 0, 0, time.UTC)
	err := s.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.LockConversation(ctx, "6281234567890")
		if err != nil {
			return err
		}
		if !c.New || c.Step != "" || string(c.State) != "{}" || c.TicketID != 0 || c.ExpiresAt != nil {
			t.Errorf("new conversation %+v", c)
		}
		c.Step, c.State, c.PhoneNumberID, c.ExpiresAt = "otp", []byte(`{"seq": 3}`), "106540352242922", &exp
		return s.SaveConversation(ctx, c)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.LockConversation(ctx, "6281234567890")
		if err != nil {
			return err
		}
		if c.New || c.Step != "otp" || string(c.State) != `{"seq": 3}` || c.PhoneNumberID != "106540352242922" ||
			c.ExpiresAt == nil || !c.ExpiresAt.Equal(exp) {
			t.Errorf("saved conversation read back as %+v", c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMarkWhatsAppHandled(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	for i, want := range []bool{true, false, false} {
		first, err := s.MarkWhatsAppHandled(ctx, "wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA=", "6281234567890")
		if err != nil || first != want {
			t.Fatalf("call %d: %v, %v; want %v", i+1, first, err, want)
		}
	}
}

func TestOTPChallengesAndAttempts(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	now := time.Date(2021, 11, 17, 9, 0, 0, 0, time.UTC)
	ch := func(id string) store.OTPChallenge {
		return store.OTPChallenge{ID: id, WaID: "62811", Phone: "+62811", Registered: true, MAC: []byte{1, 2, 3},
			Failures: 2, CreatedAt: now, ExpiresAt: now.Add(5 * time.Minute)}
	}
	if _, err := s.OpenOTPChallenge(ctx, "62811"); ticket.ErrorCode(err) != ticket.ENOTFOUND {
		t.Fatalf("no challenge yet: %v", err)
	}
	for _, id := range []string{"a1", "b2"} {
		if err := s.AddOTPChallenge(ctx, ch(id)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.OpenOTPChallenge(ctx, "62811")
	if err != nil || got.ID != "b2" || got.Failures != 2 || string(got.MAC) != "\x01\x02\x03" || !got.Registered {
		t.Fatalf("open challenge %+v, %v; want b2", got, err)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM otp_challenges WHERE state = 'replaced'`); n != 1 {
		t.Errorf("%d replaced challenges, want 1", n)
	}
	if err := s.SetOTPChallenge(ctx, "b2", 3, store.OTPVerified); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenOTPChallenge(ctx, "62811"); ticket.ErrorCode(err) != ticket.ENOTFOUND {
		t.Errorf("a verified challenge is still open: %v", err)
	}

	for _, a := range []struct {
		kind, phone, wa string
		at              time.Time
	}{
		{store.OTPAttemptSend, "+62811", "62811", now.Add(-72 * time.Hour)}, // dropped on the next add
		{store.OTPAttemptSend, "+62811", "62811", now.Add(-20 * time.Minute)},
		{store.OTPAttemptSend, "+62811", "62899", now},
		{store.OTPAttemptSend, "+62822", "62811", now},
		{store.OTPAttemptFailure, "+62811", "62811", now},
	} {
		if err := s.AddOTPAttempt(ctx, a.kind, a.phone, a.wa, a.at); err != nil {
			t.Fatal(err)
		}
	}
	byPhone, byWa, err := s.OTPAttempts(ctx, store.OTPAttemptSend, "+62811", "62811", now.Add(-15*time.Minute))
	if err != nil || byPhone != 1 || byWa != 1 {
		t.Errorf("sends in 15 minutes: %d by phone, %d by sender, %v; want 1, 1", byPhone, byWa, err)
	}
	byPhone, byWa, _ = s.OTPAttempts(ctx, store.OTPAttemptSend, "+62811", "62811", now.Add(-24*time.Hour))
	if byPhone != 2 || byWa != 2 {
		t.Errorf("sends in a day: %d by phone, %d by sender; want 2, 2", byPhone, byWa)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM otp_attempts`); n != 4 {
		t.Errorf("%d attempts kept, want 4 (the one of three days ago dropped)", n)
	}
}

func TestPurgeWhatsAppBot(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	now := time.Now().UTC()
	if _, err := s.MarkWhatsAppHandled(ctx, "wamid.new", "62811"); err != nil {
		t.Fatal(err)
	}
	storetest.Exec(t, dbURL, `INSERT INTO whatsapp_bot_handled (wamid, wa_id, handled_at) VALUES ('wamid.old', '62811', $1)`,
		now.Add(-9*24*time.Hour))
	storetest.Exec(t, dbURL, `INSERT INTO whatsapp_conversations (wa_id, updated_at) VALUES ('62811', $1), ('62822', $2)`,
		now.Add(-31*24*time.Hour), now.Add(-time.Hour))
	if err := s.AddOTPAttempt(ctx, store.OTPAttemptSend, "+62811", "62811", now.Add(-50*time.Hour)); err != nil {
		t.Fatal(err)
	}
	n, err := s.PurgeWhatsAppBot(ctx, now)
	if err != nil || n != 3 {
		t.Fatalf("purged %d, %v; want 3", n, err)
	}
	if c := storetest.Count(t, dbURL, `SELECT count(*) FROM whatsapp_bot_handled WHERE wamid = 'wamid.new'`) +
		storetest.Count(t, dbURL, `SELECT count(*) FROM whatsapp_conversations WHERE wa_id = '62822'`); c != 2 {
		t.Errorf("recent rows purged too")
	}
}
