// Command mail is the helper of scripts/bench-mail.sh, the email intake
// benchmark. It is not part of Aduan.
//
//	mail append  -n N [-conns 4] [-run R]   generate N complaint mails, each with three ~200 KB
//	                                         JPEG photos, and IMAP APPEND them to the INBOX
//	mail fetch   [-batch 50] [-progress F]   the baseline: EXAMINE INBOX, UID SEARCH, then UID FETCH
//	                                         BODY.PEEK[] in batches, reading and discarding the bytes;
//	                                         F gets the number of mails read so far after each batch
//	mail smtp    -n M [-rate 10] -out F      send M such mails through SMTP at a steady rate; F gets
//	                                         "message-id TAB send-start-ns TAB accepted-ns TAB error"
//	mail latency -sends F -created G         delivery-to-ticket latency: G is "source_id TAB epoch
//	                                         seconds" of the messages the poller stored
//	mail profile -cpu F [-mem G]             run `aduan poll --once` in this process (same code as
//	                                         cmd/aduan) under the CPU profiler
//	mail sample  [-k 0]                      write corpus mail k to stdout (to look at, or parse)
//	mail put     -dir D [-n 100] [-size S]   what pkg/blob.Dir.Put costs for one blob of S bytes
//	                                         in data directory D
//	mail attribute [-comm C] [-freq F] -mails N
//	                                         split process C's CPU in `perf script` output (stdin)
//	                                         by what it was doing, in ms a mail
//
// The IMAP and SMTP settings come from flags whose defaults are the
// environment Aduan reads (ADUAN_IMAP_ADDR, ADUAN_IMAP_USER, ...).
//
// Every result is one line "BENCH key=value ..." on stdout.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/smtp"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/aduan/aduan/scripts/bench/synth"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: mail append|fetch|smtp|latency|profile|put|attribute|sample [flags]")
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "append":
		err = appendCmd(args)
	case "fetch":
		err = fetchCmd(args)
	case "smtp":
		err = smtpCmd(args)
	case "latency":
		err = latencyCmd(args)
	case "profile":
		err = profileCmd(args)
	case "put":
		err = putCmd(args)
	case "attribute":
		err = attributeCmd(args)
	case "sample":
		fs := flag.NewFlagSet("sample", flag.ExitOnError)
		k := fs.Int("k", 0, "which mail")
		fs.Parse(args)
		var p *synth.Photos
		if p, err = synth.MakePhotos(); err == nil {
			_, raw := synth.Mail(p, "bench", 1, *k, time.Now())
			_, err = os.Stdout.Write(raw)
		}
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-mail:", err)
		os.Exit(1)
	}
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

type imapFlags struct{ addr, user, pass *string }

func addIMAPFlags(fs *flag.FlagSet) imapFlags {
	return imapFlags{
		addr: fs.String("addr", env("ADUAN_IMAP_ADDR", "127.0.0.1:1143"), "IMAP server (plain, no TLS)"),
		user: fs.String("user", env("ADUAN_IMAP_USER", "sertifikat@kemkes.test"), "IMAP login"),
		pass: fs.String("pass", env("ADUAN_IMAP_PASSWORD", "aduan-test-pass"), "IMAP password"),
	}
}

func (f imapFlags) login() (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(*f.addr, nil)
	if err != nil {
		return nil, err
	}
	if err := c.Login(*f.user, *f.pass).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login: %w", err)
	}
	return c, nil
}

// ------------------------------------------------------------ the corpus

func appendCmd(args []string) error {
	fs := flag.NewFlagSet("append", flag.ExitOnError)
	im := addIMAPFlags(fs)
	n := fs.Int("n", 10000, "mails")
	conns := fs.Int("conns", 4, "parallel IMAP connections")
	run := fs.Int("run", 1, "run number, part of every Message-ID")
	first := fs.Int("first", 0, "number of the first mail (its person)")
	fs.Parse(args)

	t0 := time.Now()
	p, err := synth.MakePhotos()
	if err != nil {
		return err
	}
	var photoBytes int
	for k := range 3 {
		for j := range 10 {
			photoBytes += len(p[k][j])
		}
	}
	photoSecs := time.Since(t0).Seconds()
	fmt.Fprintf(os.Stderr, "bench-mail: 30 photos, %.0f KB on average, in %.1fs\n", float64(photoBytes)/30/1024, photoSecs)

	jobs := make(chan int)
	var bytesSent, done atomic.Int64
	errc := make(chan error, *conns)
	var wg sync.WaitGroup
	start := time.Now()
	date := start.Add(-time.Hour)
	for range *conns {
		c, err := im.login()
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			for k := range jobs {
				_, raw := synth.Mail(p, "bench", *run, k, date)
				cmd := c.Append("INBOX", int64(len(raw)), nil)
				if _, err := cmd.Write(raw); err != nil {
					errc <- err
					return
				}
				if err := cmd.Close(); err != nil {
					errc <- err
					return
				}
				if _, err := cmd.Wait(); err != nil {
					errc <- fmt.Errorf("append: %w", err)
					return
				}
				bytesSent.Add(int64(len(raw)))
				if d := done.Add(1); d%1000 == 0 {
					fmt.Fprintf(os.Stderr, "bench-mail: %d appended, %.0f/s\n", d, float64(d)/time.Since(start).Seconds())
				}
			}
			c.Logout().Wait()
		}()
	}
	go func() {
		defer close(jobs)
		for k := *first; k < *first+*n; k++ {
			select {
			case jobs <- k:
			case err := <-errc:
				errc <- err
				return
			}
		}
	}()
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("BENCH append mails=%d bytes=%d seconds=%.2f mails_per_s=%.1f mb_per_s=%.1f photo_kb=%.0f photo_seconds=%.1f conns=%d\n",
		done.Load(), bytesSent.Load(), secs, float64(done.Load())/secs, float64(bytesSent.Load())/secs/1e6,
		float64(photoBytes)/30/1024, photoSecs, *conns)
	return nil
}

// ------------------------------------------------------------ fetch

func fetchCmd(args []string) error {
	fs := flag.NewFlagSet("fetch", flag.ExitOnError)
	im := addIMAPFlags(fs)
	batch := fs.Int("batch", 50, "UIDs per UID FETCH")
	progress := fs.String("progress", "", "file to keep the number of mails read so far in")
	fs.Parse(args)

	start := time.Now()
	c, err := im.login()
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil { // EXAMINE
		return fmt.Errorf("examine: %w", err)
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	uids := data.AllUIDs()
	var mails, total int64
	for len(uids) > 0 {
		n := min(len(uids), *batch)
		fetch := c.Fetch(imap.UIDSetNum(uids[:n]...), &imap.FetchOptions{UID: true,
			BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
		for msg := fetch.Next(); msg != nil; msg = fetch.Next() {
			for item := msg.Next(); item != nil; item = msg.Next() {
				if body, ok := item.(imapclient.FetchItemDataBodySection); ok {
					m, err := io.Copy(io.Discard, body.Literal)
					if err != nil {
						return err
					}
					total += m
					mails++
				}
			}
		}
		if err := fetch.Close(); err != nil {
			return fmt.Errorf("fetch: %w", err)
		}
		uids = uids[n:]
		if *progress != "" { // renamed into place, so a reader never sees half a number
			if err := os.WriteFile(*progress+".tmp", fmt.Appendf(nil, "%d\n", mails), 0o644); err != nil {
				return err
			}
			if err := os.Rename(*progress+".tmp", *progress); err != nil {
				return err
			}
		}
	}
	c.Logout().Wait()
	secs := time.Since(start).Seconds()
	fmt.Printf("BENCH fetch mails=%d bytes=%d seconds=%.2f mails_per_s=%.1f mb_per_s=%.1f batch=%d\n",
		mails, total, secs, float64(mails)/secs, float64(total)/secs/1e6, *batch)
	return nil
}

// ------------------------------------------------------------ smtp

func smtpCmd(args []string) error {
	fs := flag.NewFlagSet("smtp", flag.ExitOnError)
	addr := fs.String("smtp", "127.0.0.1:2525", "SMTP server (plain, no auth)")
	to := fs.String("to", env("ADUAN_IMAP_USER", "sertifikat@kemkes.test"), "recipient")
	n := fs.Int("n", 200, "mails")
	rate := fs.Float64("rate", 10, "mails per second")
	run := fs.Int("run", 1, "run number, part of every Message-ID")
	first := fs.Int("first", 1_000_000, "number of the first mail (its person)")
	out := fs.String("out", "", "where to write message-id, send start and acceptance (ns)")
	fs.Parse(args)

	p, err := synth.MakePhotos()
	if err != nil {
		return err
	}
	type sent struct {
		id            string
		start, accept int64
		err           error
	}
	results := make([]sent, *n)
	// Build every mail first, so building never delays the schedule.
	raws := make([][]byte, *n)
	date := time.Now()
	for i := range *n {
		results[i].id, raws[i] = synth.Mail(p, "idle", *run, *first+i, date)
	}
	var wg sync.WaitGroup
	start := time.Now()
	interval := time.Duration(float64(time.Second) / *rate)
	for i := range *n {
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
		wg.Add(1)
		go func() { // open model: a slow send does not hold back the next one
			defer wg.Done()
			r := &results[i]
			r.start = time.Now().UnixNano()
			r.err = smtp.SendMail(*addr, nil, synth.PersonOf(*first+i).Email, []string{*to}, raws[i])
			r.accept = time.Now().UnixNano()
			raws[i] = nil
		}()
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	failed := 0
	var sendMs []float64
	for _, r := range results {
		e := ""
		if r.err != nil {
			failed++
			e = strings.ReplaceAll(r.err.Error(), "\t", " ")
		}
		sendMs = append(sendMs, float64(r.accept-r.start)/1e6)
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\n", r.id, r.start, r.accept, e)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	slices.Sort(sendMs)
	fmt.Printf("BENCH smtp mails=%d failed=%d seconds=%.2f rate=%.1f send_p50_ms=%.1f send_max_ms=%.1f\n",
		*n, failed, secs, float64(*n)/secs, pct(sendMs, 50), pct(sendMs, 100))
	if failed > 0 {
		return fmt.Errorf("%d mails refused", failed)
	}
	return nil
}

// ------------------------------------------------------------ latency
