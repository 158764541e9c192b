package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// cost is one share of the poller's CPU: the samples whose call stack
// passes through a frame containing one of the patterns, checked in the
// order of the costs below (sha256 inside Dir.Put counts as sha256).
// Stored is work every complaint costs whatever the code around it: its
// 1.4 MB hashed for their content addresses, the photos decoded, and the
// files written and made durable.
type cost struct {
	name     string
	patterns []string
	stored   bool
}

var costs = []cost{
	{"sha256 of the raw mail and the photos", []string{"crypto/internal/fips140/sha256.", "crypto/sha256."}, true},
	{"base64 decoding of the photos", []string{"encoding/base64."}, true},
	{"blob files: create, write, rename (Dir.Put, kernel included)", []string{"blob.(*Dir).Put"}, true},
	{"blob files: fsync (Dir.Sync)", []string{"blob.(*Dir).Sync"}, true},
	{"ticket in PostgreSQL: client side (Ingest: gorm, pgx, socket)", []string{"intake.(*Ingester).Ingest"}, false},
	{"MIME parsing (lift, enmime, charset detection)", []string{"email.(*parser).parse"}, false},
	{"form, category, thread hints (Adapter.Inbound)", []string{"email.(*Adapter).Inbound"}, false},
	{"IMAP: reading the mails, flags and moves", []string{"imapclient.", "imapwire.", "email.(*Poller).readMessage", "email.(*Poller).settle"}, false},
	{"Go runtime: garbage collector, scheduler", []string{"runtime.gcBgMarkWorker", "runtime.mcall", "runtime.morestack", "runtime.mstart"}, false},
}

// attributeCmd reads `perf script -F comm,tid,ip,sym` output of a sampled
// run (perf record -a -g) and splits the CPU of the process named comm by
// what its stacks pass through, in milliseconds a mail: where the poller's
// CPU goes, the kernel's work on its behalf included. It also lists the
// busiest processes of the whole machine, in milliseconds a mail.
func attributeCmd(args []string) error {
	fs := flag.NewFlagSet("attribute", flag.ExitOnError)
	comm := fs.String("comm", "bench-mail", "process name to attribute")
	freq := fs.Float64("freq", 199, "sampling frequency of perf record (per CPU)")
	mails := fs.Int("mails", 1, "mails handled while sampling")
	fs.Parse(args)

	counts := make([]int, len(costs)+1) // the last one is "other"
	total := 0
	byComm := map[string]int{}
	err := eachStack(os.Stdin, func(c string, frames []string) {
		if c != "swapper" { // the idle loop
			byComm[c]++
		}
		if c != *comm {
			return
		}
		total++
		for i, k := range costs {
			if slices.ContainsFunc(frames, func(f string) bool {
				return slices.ContainsFunc(k.patterns, func(p string) bool { return strings.Contains(f, p) })
			}) {
				counts[i]++
				return
			}
		}
		counts[len(costs)]++
	})
	if err != nil {
		return err
	}
	if total == 0 {
		return fmt.Errorf("no samples of %q", *comm)
	}
	ms := func(n int) float64 { return float64(n) / *freq * 1000 / float64(*mails) }
	stored := 0
	for i, n := range counts {
		name := "other"
		if i < len(costs) {
			name = costs[i].name
			if costs[i].stored {
				stored += n
			}
		}
		fmt.Printf("%6.2f ms a mail  %5.1f%%  %s\n", ms(n), 100*float64(n)/float64(total), name)
	}
	fmt.Println("by process:")
	comms := slices.SortedFunc(func(yield func(string) bool) {
		for c := range byComm {
			if !yield(c) {
				return
			}
		}
	}, func(a, b string) int { return byComm[b] - byComm[a] })
	busy := 0
	for i, c := range comms {
		busy += byComm[c]
		if i < 8 {
			fmt.Printf("%6.2f ms a mail  %s\n", ms(byComm[c]), c)
		}
	}
	fmt.Printf("BENCH attribute comm=%s samples=%d mails=%d ms_per_mail=%.2f stored_ms_per_mail=%.2f postgres_ms_per_mail=%.2f imap_ms_per_mail=%.2f machine_ms_per_mail=%.2f\n",
		*comm, total, *mails, ms(total), ms(stored), ms(byComm["postgres"]), ms(byComm["imap"]), ms(busy))
	return nil
}

// eachStack calls fn with the command name and the frames (symbols, leaf
// first) of every sample in perf script output.
func eachStack(r io.Reader, fn func(comm string, frames []string)) error {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	comm, frames, in := "", []string(nil), false
	flush := func() {
		if in {
			fn(comm, frames)
		}
		comm, frames, in = "", frames[:0], false
	}
	for s.Scan() {
		line := s.Text()
		switch {
		case strings.TrimSpace(line) == "":
			flush()
		case line[0] == '\t' || line[0] == ' ':
			// "\t  ffffffff8123 symbol+0x12 (dso)": the symbol is the second field.
			f := strings.Fields(line)
			if len(f) >= 2 {
				frames = append(frames, f[1])
			}
		default: // "comm tid": the comm may hold spaces, the tid is last
			flush()
			f := strings.Fields(line)
			if len(f) > 1 {
				f = f[:len(f)-1]
			}
			comm, in = strings.Join(f, " "), true
		}
	}
	flush()
	return s.Err()
}
