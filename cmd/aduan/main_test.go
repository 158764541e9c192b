package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func aduan(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestCommands(t *testing.T) {
	s, dbURL := storetest.New(t)
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("ADUAN_DATA_DIR", t.TempDir())

	if out, err := aduan(t, "", "migrate"); err != nil || !strings.Contains(out, "0 migration(s) applied") {
		t.Fatalf("migrate on a migrated database: %v %s", err, out)
	}

	out, err := aduan(t, "kata-sandi-rahasia\n", "user", "add", "--email", "Rina@Kemkes.go.id", "--name", " Rina  Wati ",
		"--role", "supervisor", "--queues", "sertifikat,eskalasi", "--capacity", "7")
	if err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	u, hash, err := s.UserByEmail(context.Background(), "rina@kemkes.go.id")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Rina Wati" || u.Role != ticket.RoleSupervisor || u.Capacity != 7 || len(u.Queues) != 2 {
		t.Errorf("stored user = %+v", u)
	}
	if strings.Contains(hash, "kata-sandi-rahasia") || !strings.HasPrefix(hash, "$argon2id$") {
		t.Errorf("password not hashed with argon2id: %q", hash)
	}

	t.Run("user disable", func(t *testing.T) {
		ctx := context.Background()
		if err := s.CreateToken(ctx, u.ID, "rina-token", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		out, err := aduan(t, "", "user", "disable", "--email", "RINA@kemkes.go.id", "--reason", "pindah ke dinas lain")
		if err != nil || !strings.Contains(out, "disabled") {
			t.Fatalf("user disable: %v %s", err, out)
		}
		if _, err := s.UserByToken(ctx, "rina-token"); ticket.ErrorCode(err) != ticket.EUNAUTHORIZED {
			t.Errorf("token of a disabled user: %v, want %s", err, ticket.EUNAUTHORIZED)
		}
		audit, err := s.Audit(ctx, fmt.Sprintf("user:%d", u.ID))
		if err != nil || len(audit) != 1 || audit[0].Action != store.AuditUserDisable ||
			audit[0].Reason != "pindah ke dinas lain" || audit[0].ActorID != 0 {
			t.Errorf("audit = %+v %v, want one user_disable from the command line with its reason", audit, err)
		}
		if _, err := aduan(t, "", "user", "disable", "--email", "siapa@kemkes.go.id"); err == nil {
			t.Errorf("disabling an unknown user succeeded")
		}
	})

	bad := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"short password", "pendek\n", []string{"user", "add", "--email", "a@b.id", "--name", "A", "--role", "agent"}, "password"},
		{"unknown role", "kata-sandi-rahasia\n", []string{"user", "add", "--email", "a@b.id", "--name", "A", "--role", "boss"}, "role"},
		{"bad email", "kata-sandi-rahasia\n", []string{"user", "add", "--email", "nope", "--name", "A", "--role", "agent"}, "email"},
		{"same email", "kata-sandi-rahasia\n", []string{"user", "add", "--email", "rina@kemkes.go.id", "--name", "R", "--role", "agent"}, "sudah dipakai"},
		{"unknown command", "", []string{"frobnicate"}, "unknown command"},
		{"no mailbox", "", []string{"poll", "--once"}, "no mailbox configured"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := aduan(t, tt.stdin, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want mention of %q", err, tt.want)
			}
		})
	}

	for i := 0; i < 2; i++ {
		out, err := aduan(t, "", "seed", "--demo")
		if err != nil || !strings.Contains(out, "agen1@aduan.test") {
			t.Fatalf("seed run %d: %v %s", i, err, out)
		}
	}
	ts, err := s.Tickets(context.Background(), store.TicketFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 4 {
		t.Errorf("seeding twice gave %d tickets, want the 4 demo tickets once", len(ts))
	}

	// The demo tickets, closed long ago: the dry run names them and keeps
	// them; the purge takes them.
	storetest.Exec(t, dbURL, `UPDATE tickets SET status = 'closed', updated_at = now() - interval '2 years'`)
	if _, err := aduan(t, "", "retention", "purge", "--now"); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("retention purge --now: %v, want usage", err)
	}
	out, err = aduan(t, "", "retention", "purge", "--dry-run")
	if err != nil || !strings.Contains(out, "would purge") || !strings.Contains(out, "tickets       4") {
		t.Fatalf("retention purge --dry-run: %v\n%s", err, out)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM tickets WHERE purged_at IS NULL`); n != 4 {
		t.Fatalf("the dry run purged %d tickets", 4-n)
	}
	out, err = aduan(t, "", "retention", "purge")
	if err != nil || !strings.Contains(out, "purged:") || !strings.Contains(out, "tickets       4") {
		t.Fatalf("retention purge: %v\n%s", err, out)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM tickets WHERE purged_at IS NOT NULL`); n != 4 {
		t.Fatalf("%d tickets purged, want 4", n)
	}
	t.Setenv("ADUAN_RETENTION_PERIOD", "off")
	if out, err = aduan(t, "", "retention", "purge", "--dry-run"); err != nil || !strings.Contains(out, "retention is off") {
		t.Fatalf("retention off: %v\n%s", err, out)
	}
}
