package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestReplyAddressIsTheLatestMailsSender(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	c := ticket.Complainant{Name: "Budi Santoso", NIK: "3171012304900002", Email: "budi.lama@warga.test"}
	if err := s.CreateComplainant(ctx, &c); err != nil {
		t.Fatal(err)
	}
	tk := ticket.Ticket{Channel: ticket.ChannelEmail, Category: ticket.CategoryCertificateMissing,
		Status: ticket.StatusNew, Priority: ticket.PriorityNormal, ComplainantID: c.ID, Documents: ticket.NoDocuments}
	if err := s.CreateTicket(ctx, &tk); err != nil {
		t.Fatal(err)
	}
	inbound := func(sender string) ticket.Message {
		return ticket.Message{Direction: ticket.Inbound, Channel: ticket.ChannelEmail, Sender: sender}
	}
	automatic := inbound("mailer-daemon@mx.warga.test")
	automatic.Kind = ticket.KindAutomatic
	for _, step := range []struct {
		name string
		add  ticket.Message
		want string
	}{
		{"no mail yet: the address on record", ticket.Message{}, "budi.lama@warga.test"},
		{"a mail stored before senders were kept", inbound(""), "budi.lama@warga.test"},
		{"a mail from a new address", inbound("budi.baru@warga.test"), "budi.baru@warga.test"},
		{"our reply", ticket.Message{Direction: ticket.Outbound, Channel: ticket.ChannelEmail, Kind: ticket.KindReply,
			Recipient: "budi.baru@warga.test"}, "budi.baru@warga.test"},
		{"an auto-reply", automatic, "budi.baru@warga.test"},
		{"a WhatsApp message", ticket.Message{Direction: ticket.Inbound, Channel: ticket.ChannelWhatsApp,
			Sender: "6281110500567"}, "budi.baru@warga.test"},
		{"a mail from the office", inbound("budi.kantor@warga.test"), "budi.kantor@warga.test"},
		{"a later mail without a sender", inbound(""), "budi.kantor@warga.test"},
	} {
		t.Run(step.name, func(t *testing.T) {
			if step.add.Direction != "" {
				step.add.TicketID = tk.ID
				if err := s.AddMessage(ctx, &step.add); err != nil {
					t.Fatal(err)
				}
			}
			if got, err := s.ReplyAddress(ctx, tk.ID); err != nil || got != step.want {
				t.Fatalf("ReplyAddress = %q, %v; want %q", got, err, step.want)
			}
		})
	}
}

func TestLockRecipientWantsATransaction(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	if err := s.LockRecipient(ctx, "budi@warga.test"); err == nil {
		t.Fatal("LockRecipient outside a transaction: no error; the lock would be let go at once")
	}
	err := s.WithTx(ctx, func(ctx context.Context) error { return s.LockRecipient(ctx, "budi@warga.test") })
	if err != nil {
		t.Fatal(err)
	}
}

// The lock is what makes a limit per address exact: while one transaction
// holds it, another on the same address waits, and one on another address
// does not.
func TestLockRecipientMakesOthersWait(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	lock := func(address string, held func()) error {
		return s.WithTx(ctx, func(ctx context.Context) error {
			if err := s.LockRecipient(ctx, address); err != nil {
				return err
			}
			held()
			return nil
		})
	}
	locked, release, first := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() { first <- lock("budi@warga.test", func() { close(locked); <-release }) }()
	select {
	case <-locked:
	case err := <-first:
		t.Fatalf("the first transaction did not get the lock: %v", err)
	}
	second := make(chan error, 1)
	go func() { second <- lock("budi@warga.test", func() {}) }()
	if err := lock("siti@warga.test", func() {}); err != nil {
		t.Fatal(err)
	}
	// The second is seen waiting for the lock in the database, and has not
	// returned.
	for deadline := time.Now().Add(10 * time.Second); storetest.Count(t, dbURL,
		`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`) == 0; {
		select {
		case err := <-second:
			t.Fatalf("a second transaction took the lock while the first held it (err %v)", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the second transaction was not seen waiting for the lock within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-second:
		t.Fatalf("a second transaction took the lock while the first held it (err %v)", err)
	default:
	}
	close(release)
	for _, done := range []chan error{first, second} {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
