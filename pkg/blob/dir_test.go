package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

// blobStores returns a blob store writing with direct I/O (when the test
// directory's file system takes it) and one writing through the page cache.
func blobStores(t *testing.T) map[string]*Dir {
	t.Helper()
	stores := map[string]*Dir{}
	direct, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if direct.direct {
		stores["direct"] = direct
	} else {
		t.Logf("%s does not take direct writes; only the buffered path is tested", direct.dir)
	}
	buffered, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	buffered.direct = false
	stores["buffered"] = buffered
	return stores
}

func TestDirPut(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for mode, b := range blobStores(t) {
		t.Run(mode, func(t *testing.T) {
			// Sizes around the block and chunk edges, read whole and in short reads.
			for _, n := range []int{0, 1, 4095, 4096, 4097, 200 << 10, 1 << 20, 1<<20 + 1, 3<<20 + 123} {
				data := make([]byte, n)
				for i := range data {
					data[i] = byte(r.Uint32())
				}
				want := sha256.Sum256(data)
				for _, src := range []io.Reader{bytes.NewReader(data), iotest.HalfReader(bytes.NewReader(data))} {
					sum, size, err := b.Put(src)
					if err != nil || sum != hex.EncodeToString(want[:]) || size != int64(n) {
						t.Fatalf("Put(%d bytes) = %s, %d, %v; want %x, %d", n, sum, size, err, want, n)
					}
					f, err := b.Open(sum)
					if err != nil {
						t.Fatal(err)
					}
					got, err := io.ReadAll(f)
					f.Close()
					if err != nil || !bytes.Equal(got, data) {
						t.Fatalf("stored %d bytes read back as %d bytes (%v), not the same", n, len(got), err)
					}
				}
			}
			if left, _ := filepath.Glob(filepath.Join(b.dir, ".incoming-*")); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

// A reader that fails stores nothing and leaves nothing behind.
func TestDirPutReadError(t *testing.T) {
	for mode, b := range blobStores(t) {
		t.Run(mode, func(t *testing.T) {
			src := io.MultiReader(bytes.NewReader(make([]byte, 1<<20+10)), iotest.ErrReader(errors.New("connection reset")))
			if _, _, err := b.Put(src); err == nil {
				t.Fatal("Put of a failing reader succeeded")
			}
			entries, err := os.ReadDir(b.dir)
			if err != nil || len(entries) != 0 {
				t.Errorf("blob dir holds %v (%v) after a failed Put, want nothing", entries, err)
			}
		})
	}
}

// Sync syncs each blob stored since the last one, and each directory a blob
// went into once, and keeps what it could not sync for the next time.
func TestDirSync(t *testing.T) {
	b, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var sums []string
	for i := range 20 {
		sum, _, err := b.Put(bytes.NewReader([]byte{byte(i)}))
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, sum)
	}
	dirs := map[string]bool{}
	for _, sum := range sums {
		dirs[filepath.Dir(b.path(sum))] = true
		if !b.unsynced[b.path(sum)] || !b.unsynced[filepath.Dir(b.path(sum))] {
			t.Fatalf("blob %s or its directory not due for a sync: %v", sum, b.unsynced)
		}
	}
	if n := len(b.unsynced); n != len(sums)+len(dirs) {
		t.Fatalf("%d paths due for a sync after 20 blobs in %d directories", n, len(dirs))
	}
	if err := b.Sync(); err != nil || len(b.unsynced) != 0 {
		t.Fatalf("Sync = %v, %d paths still due", err, len(b.unsynced))
	}

	gone := filepath.Dir(b.path(sums[0]))
	if _, _, err := b.Put(bytes.NewReader([]byte{0})); err != nil { // sums[0] again
		t.Fatal(err)
	}
	if err := os.RemoveAll(gone); err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(); err == nil {
		t.Fatal("Sync of a directory that is gone succeeded")
	}
	if !b.unsynced[gone] || !b.unsynced[b.path(sums[0])] {
		t.Errorf("the blob and directory Sync failed on are no longer due: %v", b.unsynced)
	}
}

// BenchmarkDirBatch stores the files of 50 complaint mails (the raw mail,
// 828 KB, and three 201 KB photos each: one poller batch) and makes them
// durable, either the way Put used to (each file fsynced as it is written,
// the directories at the end of the batch) or with one Sync for the batch,
// as now. One op is the whole batch.
func BenchmarkDirBatch(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	files := make([][]byte, 0, 4)
	for _, n := range []int{828 << 10, 201 << 10, 201 << 10, 201 << 10} {
		f := make([]byte, n)
		for i := range f {
			f[i] = byte(r.Uint32())
		}
		files = append(files, f)
	}
	for _, each := range []bool{true, false} {
		name := "sync-per-batch"
		if each {
			name = "sync-per-file"
		}
		b.Run(name, func(b *testing.B) {
			blobs, err := NewDir(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(50 * int64(len(files[0])+3*len(files[1])))
			for i := 0; b.Loop(); i++ {
				for m := range 50 {
					for k, f := range files {
						binary.LittleEndian.PutUint64(f, uint64(i*200+m*4+k)) // bytes of its own, as every mail's are
						sum, _, err := blobs.Put(bytes.NewReader(f))
						if err != nil {
							b.Fatal(err)
						}
						if each {
							if err := syncPath(blobs.path(sum)); err != nil {
								b.Fatal(err)
							}
							blobs.mu.Lock()
							delete(blobs.unsynced, blobs.path(sum))
							blobs.mu.Unlock()
						}
					}
				}
				if err := blobs.Sync(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
