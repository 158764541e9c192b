package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"sync"
)

// spoolMemory is how much of a blob is held in memory while its sha256
// is computed; a larger one goes on to a temporary file. Mails and
// photos are well under it.
const spoolMemory = 8 << 20

// spoolBuffers are reused from Put to Put, so storing a batch of mails
// does not allocate a buffer for each.
var spoolBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// spool holds a blob's bytes until they are sent: an object's key is the
// sha256 of its bytes, known only once they were all read.
type spool struct {
	sum  string
	size int64
	mem  *bytes.Buffer // the bytes, when they fit
	file *os.File      // or the file holding them
}

// newSpool reads r to its end, hashing it.
func newSpool(r io.Reader, tempDir string) (*spool, error) {
	h := sha256.New()
	sp := &spool{mem: spoolBuffers.Get().(*bytes.Buffer)}
	sp.mem.Reset()
	n, err := io.Copy(io.MultiWriter(sp.mem, h), io.LimitReader(r, spoolMemory+1))
	if err == nil && n > spoolMemory {
		err = sp.spill(r, h, tempDir)
	}
	if err != nil {
		sp.Close()
		return nil, err
	}
	sp.sum = hex.EncodeToString(h.Sum(nil))
	sp.size = int64(sp.mem.Len())
	if sp.file != nil {
		sp.size, err = sp.file.Seek(0, io.SeekEnd)
		if err != nil {
			sp.Close()
			return nil, err
		}
	}
	return sp, nil
}

// spill moves what is in memory to a temporary file and reads the rest
// of r into it.
func (sp *spool) spill(r io.Reader, h io.Writer, tempDir string) error {
	f, err := os.CreateTemp(tempDir, "aduan-blob-*")
	if err != nil {
		return err
	}
	sp.file = f
	if _, err := sp.mem.WriteTo(f); err != nil {
		return err
	}
	_, err = io.Copy(io.MultiWriter(f, h), r)
	return err
}

// reader returns the bytes from their start.
func (sp *spool) reader() (io.Reader, error) {
	if sp.file == nil {
		return bytes.NewReader(sp.mem.Bytes()), nil
	}
	if _, err := sp.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.NewSectionReader(sp.file, 0, sp.size), nil
}

// Close gives the memory back and removes the file.
func (sp *spool) Close() error {
	if sp.mem != nil {
		if sp.mem.Cap() <= 2*spoolMemory {
			spoolBuffers.Put(sp.mem)
		}
		sp.mem = nil
	}
	if sp.file != nil {
		sp.file.Close()
		os.Remove(sp.file.Name())
	}
	return nil
}
