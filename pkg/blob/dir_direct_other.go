//go:build !linux

package blob

import (
	"errors"
	"hash"
	"io"
)

// probeDirect: direct writes are only used on Linux.
func (b *Dir) probeDirect() bool { return false }

func (b *Dir) writeDirect(io.Reader, hash.Hash) (string, int64, error) {
	return "", 0, errors.New("direct I/O is only used on Linux")
}
