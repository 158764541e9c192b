package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sync"

	"github.com/aduan/aduan/pkg/ticket"
)

// CopyCounts says what Copy did with each blob of the folder.
type CopyCounts struct {
	Copied  int64 // sent, then read back whole
	Present int64 // in the bucket already, and read back whole
	Corrupt int64 // the file does not hash to its name (cut short by a crash): not sent
	Failed  int64 // could not be sent or read back; a second run tries again
	Bytes   int64 // bytes sent
}

// Walk calls fn with the sum of every blob in the folder, in no
// particular order; files being written (.incoming-*) are left out.
func (b *Dir) Walk(fn func(sum string) error) error {
	return filepath.WalkDir(b.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && ValidSum(d.Name()) && filepath.Base(filepath.Dir(path)) == d.Name()[:2] {
			return fn(d.Name())
		}
		return nil
	})
}

// Copy copies every blob of from into to, workers at a time, and reads
// each back from the bucket to check it against its sum. A blob the
// bucket holds whole already is not sent again, so a copy cut short is
// finished by running it again. onFail, when not nil, hears of every blob
// not copied and why.
func Copy(ctx context.Context, from *Dir, to *Bucket, workers int, onFail func(sum string, err error)) (CopyCounts, error) {
	var (
		c  CopyCounts
		mu sync.Mutex
		wg sync.WaitGroup
	)
	sums := make(chan string)
	note := func(sum string, field *int64, size int64, err error) {
		mu.Lock()
		defer mu.Unlock()
		*field++
		c.Bytes += size
		if err != nil && onFail != nil {
			onFail(sum, err)
		}
	}
	for range max(workers, 1) {
		wg.Go(func() {
			for sum := range sums {
				sent, err := copyOne(ctx, from, to, sum)
				switch {
				case errors.Is(err, ErrCorrupt):
					note(sum, &c.Corrupt, 0, err)
				case err != nil:
					note(sum, &c.Failed, 0, err)
				case sent == 0:
					note(sum, &c.Present, 0, nil)
				default:
					note(sum, &c.Copied, sent, nil)
				}
			}
		})
	}
	err := from.Walk(func(sum string) error {
		select {
		case sums <- sum:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(sums)
	wg.Wait()
	return c, err
}

// copyOne makes sure the bucket holds the blob sum whole, and returns
// how many bytes it sent for that (0: it was there).
func copyOne(ctx context.Context, from *Dir, to *Bucket, sum string) (int64, error) {
	if err := to.check(ctx, sum); err == nil {
		return 0, nil
	} else if ticket.ErrorCode(err) != ticket.ENOTFOUND && !errors.Is(err, ErrCorrupt) {
		return 0, err
	}
	f, err := from.Open(sum)
	if err != nil {
		return 0, err
	}
	sp, err := newSpool(f, to.tempDir)
	f.Close()
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", from.Path(sum), err)
	}
	defer sp.Close()
	if sp.sum != sum { // cannot happen with the check while reading; kept as the rule
		return 0, fmt.Errorf("%s: %w", from.Path(sum), ErrCorrupt)
	}
	sctx, cancel := context.WithTimeout(ctx, requestTimeout(sp.size))
	defer cancel()
	if err := to.send(sctx, sp, false); err != nil { // over a damaged object too
		return 0, err
	}
	if err := to.check(ctx, sum); err != nil {
		return 0, fmt.Errorf("read back: %w", err)
	}
	return sp.size, nil
}

// check reads the object sum whole, checking it against its sum.
func (b *Bucket) check(ctx context.Context, sum string) error {
	f, err := b.Open(sum)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(io.Discard, f)
	return err
}
