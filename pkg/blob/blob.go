// Package blob keeps the bytes Aduan receives (raw mail, attachments,
// the derivatives of document checks) under the sha256 of their bytes:
// in a local folder (Dir, the default) or in an S3-compatible object
// store (Bucket), which several machines share.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// Store is what callers need of a blob store. Put returns once the bytes
// are in the store (durable after Sync: a folder batches its flushes, an
// object store has them when Put returns); Open gives back bytes verified
// against their sum; Delete removes bytes no row names any more.
type Store interface {
	// Put stores r's bytes and returns their sha256 and size.
	Put(r io.Reader) (sum string, size int64, err error)
	// Open returns the bytes stored under sum, or an ENOTFOUND error. A
	// read that reaches the end of bytes that do not match sum fails with
	// ErrCorrupt instead of returning their last part.
	Open(sum string) (io.ReadSeekCloser, error)
	// Sync makes every blob Put before it durable.
	Sync() error
	// Delete removes the bytes under sum unless they were written at or
	// after writtenBefore, and reports whether they are gone.
	Delete(ctx context.Context, sum string, writtenBefore time.Time) (bool, error)
}

// ErrCorrupt is what reading stored bytes that do not hash to their sum
// gives: a file cut short by a crash, an object damaged in the store.
var ErrCorrupt = errors.New("stored bytes do not match their sha256")

// Config says where blobs live. URL empty (or file:) means the folder
// blobs/ inside the data directory; s3://BUCKET?endpoint=…&region=… an
// S3-compatible object store.
type Config struct {
	URL       string `yaml:"url"`
	AccessKey string `yaml:"access_key"`
	SecretKey string `yaml:"secret_key"`
}

// Open returns the blob store cfg names; dataDir is the local folder's
// home when cfg.URL names none.
func Open(ctx context.Context, cfg Config, dataDir string) (Store, error) {
	switch {
	case cfg.URL == "" || cfg.URL == "file:":
		return NewDir(dataDir)
	case strings.HasPrefix(cfg.URL, "file://"):
		return NewDir(strings.TrimPrefix(cfg.URL, "file://"))
	case strings.HasPrefix(cfg.URL, "s3://"):
		bc, err := ParseBucketURL(cfg.URL)
		if err != nil {
			return nil, err
		}
		bc.AccessKey, bc.SecretKey = cfg.AccessKey, cfg.SecretKey
		return NewBucket(ctx, bc)
	}
	return nil, fmt.Errorf("ADUAN_BLOB_URL %q: want s3://BUCKET?endpoint=… or empty for the data directory", redact(cfg.URL))
}

// redact drops what a URL may carry after its scheme and host, so an
// error never repeats a key someone put in it.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unreadable)"
	}
	return u.Scheme + "://" + u.Host
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidSum says whether s is a sha256 as blobs are named: 64 lowercase
// hex digits.
func ValidSum(s string) bool { return sha256Hex.MatchString(s) }

func notFound() error {
	return ticket.Errorf(ticket.ENOTFOUND, "Berkas tidak ditemukan. / File not found.")
}

// verifying hashes what is read of a blob from its start, in order, and
// checks the sum when the last byte is reached: the read that would
// complete the bytes returns ErrCorrupt instead when they do not match,
// and bytes that end early fail too. Reads after a Seek elsewhere (a
// range an HTTP client asked for) are passed through; a Seek back to the
// start begins the check again.
type verifying struct {
	src     io.ReadSeekCloser
	sum     string
	size    int64
	pos     int64 // where the next Read starts
	hashed  int64 // bytes hashed from the start; hashing only while pos == hashed
	h       hash.Hash
	checked bool  // the whole was hashed and matched
	err     error // sticky once the check failed
}

func newVerifying(src io.ReadSeekCloser, sum string, size int64) *verifying {
	return &verifying{src: src, sum: sum, size: size, h: sha256.New()}
}

func (v *verifying) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.src.Read(p)
	if v.pos == v.hashed && !v.checked {
		v.h.Write(p[:n])
		v.hashed += int64(n)
		if v.hashed >= v.size || err == io.EOF {
			v.checked = true
			if v.hashed != v.size || hex.EncodeToString(v.h.Sum(nil)) != v.sum {
				v.err = fmt.Errorf("blob %s: %w", v.sum, ErrCorrupt)
				return 0, v.err
			}
		}
	}
	v.pos += int64(n)
	if err == io.EOF && v.pos < v.size {
		v.err = fmt.Errorf("blob %s: %d of %d bytes: %w", v.sum, v.pos, v.size, ErrCorrupt)
		return n, v.err
	}
	return n, err
}

func (v *verifying) Seek(offset int64, whence int) (int64, error) {
	pos, err := v.src.Seek(offset, whence)
	if err != nil {
		return pos, err
	}
	v.pos = pos
	if pos == 0 {
		v.h.Reset()
		v.hashed, v.checked = 0, false
	}
	return pos, nil
}

func (v *verifying) Close() error { return v.src.Close() }
