package blob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// Delete removes the bytes stored under sum, unless they were written at or
// after writtenBefore, and reports whether they are gone (true as well for
// a blob that was not there). Blobs are shared and rewritten whenever the
// same bytes come in again (Put), so a blob written lately may belong to a
// row not committed yet: the caller checks that no committed row names
// sum, and writtenBefore covers the rows still on their way. Every blob
// backend (this folder, an object store) offers the same.
func (b *Dir) Delete(_ context.Context, sum string, writtenBefore time.Time) (bool, error) {
	path := b.Path(sum)
	if path == "" {
		return false, fmt.Errorf("delete blob: %q is not a sha256", sum)
	}
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	} else if err != nil {
		return false, fmt.Errorf("delete blob: %w", err)
	}
	if !info.ModTime().Before(writtenBefore) {
		return false, nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("delete blob: %w", err)
	}
	return true, nil
}
