package blob

import (
	"hash"
	"io"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// directAlign is the alignment direct I/O asks of file offsets, lengths
// and memory: 4096 serves disks with 512- and 4096-byte logical blocks.
const directAlign = 4096

// directChunk is how much one direct write carries.
const directChunk = 1 << 20

// alignedChunk returns a directChunk-long buffer whose first byte sits on
// a directAlign boundary (the Go heap does not move what it allocates).
func alignedChunk() []byte {
	b := make([]byte, directChunk+directAlign)
	off := -int(uintptr(unsafe.Pointer(&b[0]))) & (directAlign - 1)
	return b[off : off+directChunk : off+directChunk]
}

// probeDirect says whether the blob directory's file system takes direct
// writes of aligned blocks (tmpfs and some network file systems do not).
func (b *Dir) probeDirect() bool {
	f, err := os.CreateTemp(b.dir, ".probe-*")
	if err != nil {
		return false
	}
	defer os.Remove(f.Name())
	defer f.Close()
	d, err := os.OpenFile(f.Name(), os.O_WRONLY|unix.O_DIRECT, 0)
	if err != nil {
		return false
	}
	defer d.Close()
	_, err = d.Write(alignedChunk()[:directAlign])
	return err == nil
}

// writeDirect writes r to a new temporary file with direct I/O, so the
// bytes go to the disk without a copy into the page cache. The last bytes
// that do not fill a block go through the page cache, and the file's size
// and place on disk (and the disk's own cache) wait for Sync. It returns
// the file's name and size.
func (b *Dir) writeDirect(r io.Reader, h hash.Hash) (name string, size int64, err error) {
	buf, _ := b.buffers.Get().(*[]byte)
	if buf == nil {
		chunk := alignedChunk()
		buf = &chunk
	}
	defer b.buffers.Put(buf)
	f, err := os.CreateTemp(b.dir, ".incoming-*")
	if err != nil {
		return "", 0, err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if err := setDirect(f, true); err != nil {
		return "", 0, err
	}
	for {
		n, rerr := io.ReadFull(r, *buf)
		chunk := (*buf)[:n]
		h.Write(chunk)
		size += int64(n)
		whole := n &^ (directAlign - 1)
		if _, err := f.Write(chunk[:whole]); err != nil {
			return f.Name(), size, err
		}
		switch rerr {
		case nil:
			continue
		case io.EOF, io.ErrUnexpectedEOF:
			if whole < n {
				if err := setDirect(f, false); err != nil {
					return f.Name(), size, err
				}
				if _, err := f.Write(chunk[whole:]); err != nil {
					return f.Name(), size, err
				}
			}
			return f.Name(), size, nil
		default:
			return f.Name(), size, rerr
		}
	}
}

// setDirect turns direct I/O on or off for an open file.
func setDirect(f *os.File, on bool) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	err = rc.Control(func(fd uintptr) {
		flags, err := unix.FcntlInt(fd, unix.F_GETFL, 0)
		if err != nil {
			ferr = err
			return
		}
		if on {
			flags |= unix.O_DIRECT
		} else {
			flags &^= unix.O_DIRECT
		}
		_, ferr = unix.FcntlInt(fd, unix.F_SETFL, flags)
	})
	if err != nil {
		return err
	}
	return ferr
}
