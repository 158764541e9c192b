//go:build !linux

package store

import (
	"errors"
	"hash"
	"io"
)

// probeDirect: direct writes are only used on Linux.
func (b *Blobs) probeDirect() bool { return false }

func (b *Blobs) writeDirect(io.Reader, hash.Hash) (string, int64, error) {
	return "", 0, errors.New("direct I/O is only used on Linux")
}
