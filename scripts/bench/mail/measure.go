package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/blob"
)

func latencyCmd(args []string) error {
	fs := flag.NewFlagSet("latency", flag.ExitOnError)
	sends := fs.String("sends", "", "smtp -out file")
	created := fs.String("created", "", "source_id TAB epoch seconds, from psql")
	fs.Parse(args)

	type times struct{ start, accept int64 }
	sent := map[string]times{}
	if err := eachLine(*sends, func(f []string) error {
		if len(f) < 3 {
			return fmt.Errorf("bad line in %s", *sends)
		}
		s, err1 := strconv.ParseInt(f[1], 10, 64)
		a, err2 := strconv.ParseInt(f[2], 10, 64)
		sent[f[0]] = times{s, a}
		return errors.Join(err1, err2)
	}); err != nil {
		return err
	}
	var fromStart, fromAccept []float64
	if err := eachLine(*created, func(f []string) error {
		if len(f) < 2 {
			return fmt.Errorf("bad line in %s", *created)
		}
		t, ok := sent[f[0]]
		if !ok {
			return nil
		}
		sec, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return err
		}
		at := int64(sec * 1e9)
		fromStart = append(fromStart, float64(at-t.start)/1e6)
		fromAccept = append(fromAccept, float64(at-t.accept)/1e6)
		return nil
	}); err != nil {
		return err
	}
	slices.Sort(fromStart)
	slices.Sort(fromAccept)
	fmt.Printf("BENCH latency sent=%d ticketed=%d p50_ms=%.0f p95_ms=%.0f p99_ms=%.0f max_ms=%.0f min_ms=%.0f accepted_p50_ms=%.0f accepted_p99_ms=%.0f\n",
		len(sent), len(fromStart), pct(fromStart, 50), pct(fromStart, 95), pct(fromStart, 99), pct(fromStart, 100),
		pct(fromStart, 0), pct(fromAccept, 50), pct(fromAccept, 99))
	return nil
}

func eachLine(path string, fn func([]string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if line := strings.TrimRight(s.Text(), "\r"); line != "" {
			if err := fn(strings.Split(line, "\t")); err != nil {
				return err
			}
		}
	}
	return s.Err()
}

// pct is the nearest-rank percentile of sorted xs; 0 is the minimum.
func pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	i := int(p/100*float64(len(xs))+0.999999) - 1
	return xs[min(max(i, 0), len(xs)-1)]
}

// ------------------------------------------------------------ profile

// profileCmd is cmd/aduan's `poll --once` (the same calls) under pprof.
func profileCmd(args []string) error {
	fs := flag.NewFlagSet("profile", flag.ExitOnError)
	cpu := fs.String("cpu", "cpu.pprof", "CPU profile")
	mem := fs.String("mem", "", "heap profile (allocations) written at the end")
	fs.Parse(args)
	if *mem != "" {
		runtime.MemProfileRate = 64 << 10
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := app.LoadConfig(os.Getenv("ADUAN_CONFIG"), os.Getenv)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, app.NewLogger(os.Stderr, cfg.LogLevel))
	if err != nil {
		return err
	}
	defer a.Close()
	f, err := os.Create(*cpu)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	start := time.Now()
	err = a.Poll(ctx, true)
	secs := time.Since(start).Seconds()
	pprof.StopCPUProfile()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if *mem != "" && err == nil {
		if mf, merr := os.Create(*mem); merr == nil {
			err = pprof.Lookup("allocs").WriteTo(mf, 0)
			mf.Close()
		}
	}
	fmt.Printf("BENCH profile seconds=%.2f\n", secs)
	return err
}

// ------------------------------------------------------------ put

// putCmd stores n blobs of size random bytes in dir with pkg/blob's
// Dir.Put, as the poller does, each followed by a Sync of its own (the
// poller syncs a batch's blobs together), and reports the time of each
// step per blob in milliseconds and whether the store writes with direct
// I/O. The blobs are
// left in dir: deleting thousands of files just before a timed run slows
// the next file creations on ext4.
func putCmd(args []string) error {
	fs := flag.NewFlagSet("put", flag.ExitOnError)
	dir := fs.String("dir", os.TempDir(), "data directory on the disk to measure")
	n := fs.Int("n", 100, "blobs")
	size := fs.Int("size", 200<<10, "bytes per blob")
	fs.Parse(args)

	blobs, err := blob.NewDir(*dir)
	if err != nil {
		return err
	}
	buf := make([]byte, *size)
	r := rand.New(rand.NewPCG(1, 2))
	var times, syncs []float64
	for range *n {
		for j := range buf {
			buf[j] = byte(r.Uint32())
		}
		t0 := time.Now()
		if _, _, err := blobs.Put(bytes.NewReader(buf)); err != nil {
			return err
		}
		times = append(times, float64(time.Since(t0).Microseconds())/1000)
		t1 := time.Now()
		if err := blobs.Sync(); err != nil {
			return err
		}
		syncs = append(syncs, float64(time.Since(t1).Microseconds())/1000)
	}
	mean := func(xs []float64) float64 {
		var total float64
		for _, x := range xs {
			total += x
		}
		return total / float64(len(xs))
	}
	slices.Sort(times)
	fmt.Printf("BENCH put size=%d n=%d direct=%v mean_ms=%.2f p50_ms=%.2f p99_ms=%.2f sync_mean_ms=%.2f\n",
		*size, *n, blobs.Direct(), mean(times), pct(times, 50), pct(times, 99), mean(syncs))
	return nil
}
