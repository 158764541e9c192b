package blob

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

func TestDirDelete(t *testing.T) {
	b, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sum, _, err := b.Put(strings.NewReader("foto KTP"))
	if err != nil {
		t.Fatal(err)
	}
	// Written just now: the row naming it may still be on its way.
	if gone, err := b.Delete(ctx, sum, time.Now().Add(-time.Hour)); err != nil || gone {
		t.Fatalf("Delete of a blob written just now = %v, %v; want kept", gone, err)
	}
	if _, err := os.Stat(b.Path(sum)); err != nil {
		t.Fatalf("the blob is gone: %v", err)
	}
	if gone, err := b.Delete(ctx, sum, time.Now().Add(time.Second)); err != nil || !gone {
		t.Fatalf("Delete = %v, %v; want deleted", gone, err)
	}
	if _, err := b.Open(sum); err == nil {
		t.Fatal("a deleted blob still opens")
	}
	if gone, err := b.Delete(ctx, sum, time.Now()); err != nil || !gone {
		t.Fatalf("Delete of a missing blob = %v, %v; want gone", gone, err)
	}
	if _, err := b.Delete(ctx, "../../etc/passwd", time.Now()); err == nil {
		t.Fatal("Delete took a path that is not a sha256")
	}
}
