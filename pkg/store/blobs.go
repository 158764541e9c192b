package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/aduan/aduan/pkg/ticket"
)

// Blobs keeps files (attachments, raw mail) in the data directory under
// the sha256 of their bytes, so the same photo sent twice is stored once.
type Blobs struct {
	dir string
}

// NewBlobs returns the blob store under dir/blobs, creating it.
func NewBlobs(dir string) (*Blobs, error) {
	root := filepath.Join(dir, "blobs")
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("blob dir: %w", err)
	}
	return &Blobs{dir: root}, nil
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (b *Blobs) path(sum string) string {
	return filepath.Join(b.dir, sum[:2], sum)
}

// Path returns where the bytes stored under sum live, for readers that
// want the file itself; "" for anything that is not a sha256.
func (b *Blobs) Path(sum string) string {
	if !sha256Hex.MatchString(sum) {
		return ""
	}
	return b.path(sum)
}

// Put stores r's bytes durably (written, synced, renamed into place) and
// returns their sha256 and size.
func (b *Blobs) Put(r io.Reader) (sum string, size int64, err error) {
	tmp, err := os.CreateTemp(b.dir, ".incoming-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(tmp, h), r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("store blob: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	dst := b.path(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("store blob: %w", err)
	}
	return sum, size, nil
}

// Open returns the bytes stored under sum.
func (b *Blobs) Open(sum string) (io.ReadSeekCloser, error) {
	if !sha256Hex.MatchString(sum) {
		return nil, ticket.Errorf(ticket.ENOTFOUND, "Berkas tidak ditemukan. / File not found.")
	}
	f, err := os.Open(b.path(sum))
	if os.IsNotExist(err) {
		return nil, ticket.Errorf(ticket.ENOTFOUND, "Berkas tidak ditemukan. / File not found.")
	} else if err != nil {
		return nil, err
	}
	return f, nil
}
