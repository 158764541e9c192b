package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// Every way of the database being out of reach is ErrUnavailable, named
// by the operation that met it; a statement refused for its values and a
// missing row are not.
func TestErrorsNameOperationAndSayUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("backend terminated mid-statement (57P01)", func(t *testing.T) {
		t.Parallel()
		s, dbURL := storetest.New(t)
		release := storetest.LockTable(t, dbURL, "tickets")
		errc := make(chan error, 1)
		go func() {
			_, err := s.TicketByRef(ctx, "1", false)
			errc <- err
		}()
		storetest.TerminateWaiting(t, dbURL, 1)
		err := <-errc
		release()
		wantUnavailable(t, err, "store: ticket by ref: ")
		if !strings.Contains(err.Error(), "57P01") {
			t.Errorf("error %q does not carry SQLSTATE 57P01", err)
		}
		// The pool recovers by itself once the server answers again.
		if _, err := s.TicketByRef(ctx, "1", false); ticket.ErrorCode(err) != ticket.ENOTFOUND {
			t.Errorf("after the termination: %v, want not found", err)
		}
	})

	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		_, err := store.Open(ctx, "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=5", store.Options{})
		wantUnavailable(t, err, "store: ")
	})

	t.Run("pool closed", func(t *testing.T) {
		t.Parallel()
		s, _ := storetest.New(t)
		s.Close()
		_, err := s.ComplainantByID(ctx, 1)
		wantUnavailable(t, err, "store: complainant by id: ")
	})

	t.Run("not found is not an outage", func(t *testing.T) {
		t.Parallel()
		s, _ := storetest.New(t)
		_, err := s.ComplainantByID(ctx, 424242)
		if errors.Is(err, store.ErrUnavailable) || ticket.ErrorCode(err) != ticket.ENOTFOUND ||
			!strings.HasPrefix(err.Error(), "store: complainant by id: ") {
			t.Errorf("missing complainant: %v, want a named ENOTFOUND", err)
		}
	})

	t.Run("bad data is not an outage", func(t *testing.T) {
		t.Parallel()
		s, _ := storetest.New(t)
		c := ticket.Complainant{Name: "Siti\x00Aminah", NIK: "3201014508850001", Phone: "+6281110500567"}
		err := s.CreateComplainant(ctx, &c)
		if err == nil || errors.Is(err, store.ErrUnavailable) || !store.BadData(err) ||
			!strings.HasPrefix(err.Error(), "store: create complainant: ") {
			t.Errorf("NUL in a name: %v, want a named bad-data error", err)
		}
	})
}

func wantUnavailable(t *testing.T, err error, prefix string) {
	t.Helper()
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("%v: not store.ErrUnavailable", err)
	}
	if err != nil && !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("%q does not name its operation (%q…)", err, prefix)
	}
}
