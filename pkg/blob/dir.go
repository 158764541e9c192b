package blob

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// Dir keeps blobs as files in the data directory under the sha256 of
// their bytes, so the same photo sent twice is stored once.
//
// Where the file system allows it, blobs are written with direct I/O: they
// are written once and read seldom (an agent opening a photo, the document
// check once), so passing them through the page cache only costs a copy
// and pushes out what the machine does read again (the mailbox, the
// database).
type Dir struct {
	dir     string
	direct  bool      // the file system takes direct writes
	buffers sync.Pool // aligned chunk buffers for direct writes

	syncing  sync.Mutex // one Sync at a time: none may return while another still syncs what it took
	mu       sync.Mutex
	unsynced map[string]bool // blobs stored since the last Sync, and the directories they went into
}

// NewDir returns the blob store under dir/blobs, creating it.
func NewDir(dir string) (*Dir, error) {
	root := filepath.Join(dir, "blobs")
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("blob dir: %w", err)
	}
	b := &Dir{dir: root, unsynced: map[string]bool{}}
	b.direct = b.probeDirect()
	return b, nil
}

// String names the folder, for logs.
func (b *Dir) String() string { return fmt.Sprintf("%s (direct I/O: %v)", b.dir, b.direct) }

// Direct says whether blobs are written with direct I/O (see Dir).
func (b *Dir) Direct() bool { return b.direct }

func (b *Dir) path(sum string) string {
	return filepath.Join(b.dir, sum[:2], sum)
}

// Path returns where the bytes stored under sum live, for readers that
// want the file itself; "" for anything that is not a sha256.
func (b *Dir) Path(sum string) string {
	if !ValidSum(sum) {
		return ""
	}
	return b.path(sum)
}

// Put stores r's bytes (written and renamed into place) and returns their
// sha256 and size. They are durable once Sync has returned: a caller that
// stores several blobs before anything depends on them (the poller, a
// batch of mails) pays for one Sync instead of one a blob. A blob stored
// before is written again, so a file a crash left incomplete is mended
// when its bytes come back.
func (b *Dir) Put(r io.Reader) (sum string, size int64, err error) {
	h := sha256.New()
	write := b.writeBuffered
	if b.direct {
		write = b.writeDirect
	}
	tmp, size, err := write(r, h)
	if err != nil {
		return "", 0, fmt.Errorf("store blob: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	dst := b.path(sum)
	err = os.MkdirAll(filepath.Dir(dst), 0o750)
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return "", 0, fmt.Errorf("store blob: %w", err)
	}
	b.mu.Lock()
	b.unsynced[dst] = true
	b.unsynced[filepath.Dir(dst)] = true
	b.mu.Unlock()
	return sum, size, nil
}

// Sync makes every blob stored before it was called durable: the bytes and
// size of each file, and its name in the directory it was renamed into
// (and the store's own, which holds those directories). The syncs run side
// by side, so a batch's files share the disk's flushes. On failure what
// could not be synced stays due for the next Sync.
func (b *Dir) Sync() error {
	b.syncing.Lock()
	defer b.syncing.Unlock()
	b.mu.Lock()
	due := b.unsynced
	b.unsynced = map[string]bool{}
	b.mu.Unlock()
	due[b.dir] = true
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed []string
		first  error
		next   = make(chan string)
	)
	for range min(len(due), 8) { // syncs wait on the disk, not the CPU
		wg.Go(func() {
			for path := range next {
				if err := syncPath(path); err != nil {
					mu.Lock()
					failed = append(failed, path)
					first = cmp.Or(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for path := range due {
		next <- path
	}
	close(next)
	wg.Wait()
	if first != nil {
		b.mu.Lock()
		for _, path := range failed {
			b.unsynced[path] = true
		}
		b.mu.Unlock()
		return fmt.Errorf("sync blob store: %w", first)
	}
	return nil
}

// syncPath fsyncs a file or a directory (Linux and the BSDs sync a file
// opened only for reading all the same).
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeBuffered writes r to a new temporary file through the page cache,
// returning the file's name and size.
func (b *Dir) writeBuffered(r io.Reader, h hash.Hash) (name string, size int64, err error) {
	f, err := os.CreateTemp(b.dir, ".incoming-*")
	if err != nil {
		return "", 0, err
	}
	size, err = io.Copy(io.MultiWriter(f, h), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", 0, err
	}
	return f.Name(), size, nil
}

// Open returns the bytes stored under sum, checked against it as they
// are read (a file a crash cut short reads as ErrCorrupt, not as whole).
func (b *Dir) Open(sum string) (io.ReadSeekCloser, error) {
	if !ValidSum(sum) {
		return nil, notFound()
	}
	f, err := os.Open(b.path(sum))
	if os.IsNotExist(err) {
		return nil, notFound()
	} else if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return newVerifying(f, sum, info.Size()), nil
}
