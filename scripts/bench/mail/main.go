// Command mail is the helper of scripts/bench-mail.sh, the email intake
// benchmark. It is not part of Aduan.
//
//	mail append  -n N [-conns 4] [-run R]   generate N complaint mails, each with three ~200 KB
//	                                         JPEG photos, and IMAP APPEND them to the INBOX
//	mail fetch   [-batch 50]                 the baseline: EXAMINE INBOX, UID SEARCH, then UID FETCH
//	                                         BODY.PEEK[] in batches, reading and discarding the bytes
//	mail smtp    -n M [-rate 10] -out F      send M such mails through SMTP at a steady rate; F gets
//	                                         "message-id TAB send-start-ns TAB accepted-ns TAB error"
//	mail latency -sends F -created G         delivery-to-ticket latency: G is "source_id TAB epoch
//	                                         seconds" of the messages the poller stored
//	mail profile -cpu F [-mem G]             run `aduan poll --once` in this process (same code as
//	                                         cmd/aduan) under the CPU profiler
//	mail sample  [-k 0]                      write corpus mail k to stdout (to look at, or parse)
//	mail fsync   -dir D [-n 100] [-size S]   what one blob costs the way pkg/store.Blobs.Put writes
//	                                         it (temp file, write, fsync, rename), fsync apart
//
// The IMAP and SMTP settings come from flags whose defaults are the
// environment Aduan reads (ADUAN_IMAP_ADDR, ADUAN_IMAP_USER, ...).
//
// Every result is one line "BENCH key=value ..." on stdout.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"mime/quotedprintable"
	"net/smtp"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/aduan/aduan/pkg/app"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: mail append|fetch|smtp|latency|profile|fsync|sample [flags]")
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
	case "fsync":
		err = fsyncCmd(args)
	case "sample":
		fs := flag.NewFlagSet("sample", flag.ExitOnError)
		k := fs.Int("k", 0, "which mail")
		fs.Parse(args)
		var p *photos
		if p, err = makePhotos(); err == nil {
			_, raw := buildMail(p, "bench", 1, *k, time.Now())
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

// Photos are 30 JPEGs (10 per kind) encoded once, about 200 KB each; every
// mail gets its own copies with a JPEG comment segment naming the mail, so
// each attachment has its own sha256 (as real photos do) at no encoding cost.
type photos [3][10][]byte

var kindFiles = [3]string{"ktp.jpg", "selfie.jpg", "kartu-vaksin.jpg"}

const photoTarget = 200 << 10

func makePhotos() (*photos, error) {
	var p photos
	var wg sync.WaitGroup
	errs := make([]error, 30)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for k := range 3 {
		for j := range 10 {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				p[k][j], errs[k*10+j] = photo(uint64(k*10+j+1), k)
			}()
		}
	}
	wg.Wait()
	return &p, errors.Join(errs...)
}

// photo is a 1024x768 gradient with noise (a stand-in for a phone photo),
// its JPEG quality searched so the file lands within 5% of 200 KB.
func photo(seed uint64, kind int) ([]byte, error) {
	const w, h, noise = 1024, 768, 32
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	clamp := func(v int) uint8 { return uint8(min(255, max(0, v))) }
	tint := [3]int{40 * kind, 80 - 30*kind, 20 * kind}
	for y := range h {
		for x := range w {
			n := func() int { return r.IntN(2*noise+1) - noise }
			img.SetRGBA(x, y, color.RGBA{clamp(x*200/w + tint[0] + n()), clamp(y*200/h + tint[1] + n()),
				clamp((x+y)*128/(w+h) + 64 + tint[2] + n()), 255})
		}
	}
	lo, hi := 30, 95
	var best []byte
	for lo <= hi {
		q := (lo + hi) / 2
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
			return nil, err
		}
		if best == nil || abs(b.Len()-photoTarget) < abs(len(best)-photoTarget) {
			best = b.Bytes()
		}
		if b.Len() > photoTarget {
			hi = q - 1
		} else {
			lo = q + 1
		}
	}
	if abs(len(best)-photoTarget) > photoTarget/20 {
		return nil, fmt.Errorf("photo %d: %d bytes, not near %d", seed, len(best), photoTarget)
	}
	return best, nil
}

func abs(x int) int { return max(x, -x) }

// withComment returns jpg with a COM segment holding text right after SOI.
func withComment(jpg []byte, text string) []byte {
	out := make([]byte, 0, len(jpg)+len(text)+4)
	out = append(out, jpg[:2]...) // FF D8
	n := len(text) + 2
	out = append(out, 0xFF, 0xFE, byte(n>>8), byte(n))
	out = append(out, text...)
	return append(out, jpg[2:]...)
}

var (
	names = []string{"Siti Aminah", "Agus Salim", "Rina Wulandari", "Budi Santoso", "Dewi Lestari",
		"Ahmad Fauzi", "Nur Hidayah", "Eko Prasetyo", "Sri Rahayu", "Joko Susilo", "Putu Ayu Lestari",
		"Muhammad Rizki", "Fitri Handayani", "Yohanes Simanjuntak", "Wayan Sudarsana"}
	places   = []string{"Bogor", "Jakarta", "Bandung", "Surabaya", "Medan", "Denpasar", "Makassar", "Semarang"}
	months   = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
	subjects = []string{"Sertifikat vaksin dosis 2 belum muncul", "Data di sertifikat vaksin salah",
		"Mohon bantuan perubahan data", "NIK saya sudah terdaftar", "Sertifikat vaksin tidak muncul di aplikasi"}
	complaints = []string{
		"Sertifikat vaksin dosis kedua belum muncul di aplikasi PeduliLindungi padahal saya sudah vaksin tanggal 2 November 2021 di Puskesmas Cibinong, sudah lebih dari 14 hari.",
		"Tanggal vaksin di sertifikat tertulis 12 Oktober, padahal saya divaksin 21 Oktober di Puskesmas. Nama di sertifikat juga salah ketik, seharusnya sesuai KTP.",
		"Mohon bantuan mengubah data pribadi di sertifikat: nama dan tanggal lahir tidak sesuai KTP. Terlampir foto KTP, swafoto dan kartu vaksin.",
		"Saat daftar muncul pesan NIK sudah terdaftar, padahal belum pernah vaksin. Sepertinya NIK saya dipakai orang lain. Mohon dicek.",
		"Sudah vaksin dosis pertama dan kedua, tetapi sertifikat tidak muncul. Sudah dicoba cek berkali-kali tetap tidak ada.",
	}
)

// person k of the corpus: a valid NIK (Kab. Bogor, a past birth date
// encoded as DDMMYY, +40 on the day for women, serial never 0000) that no
// other k shares, the matching birth date, and a phone number.
type person struct {
	name, nik, birth, phone, email string
}

func personOf(k int) person {
	serial := k%9999 + 1
	q := k / 9999
	day, month, year := q%28+1, (q/28)%12+1, 1960+(q/336)%40
	female := (k/3)%2 == 1
	nikDay := day
	if female {
		nikDay += 40
	}
	return person{
		name:  names[k%len(names)],
		nik:   fmt.Sprintf("320101%02d%02d%02d%04d", nikDay, month, year%100, serial),
		birth: fmt.Sprintf("%s, %d %s %d", places[k%len(places)], day, months[month-1], year),
		phone: fmt.Sprintf("0812-%04d-%04d", (k/10000)%10000, k%10000),
		email: fmt.Sprintf("pelapor.%d@warga.test", k),
	}
}

// buildMail writes mail k of run (Message-ID <prefix-run-k@warga.test>).
func buildMail(p *photos, prefix string, run, k int, date time.Time) (msgID string, raw []byte) {
	who := personOf(k)
	msgID = fmt.Sprintf("<%s-%d-%d@warga.test>", prefix, run, k)
	boundary := fmt.Sprintf("=_aduan_bench_%d_%d", run, k)
	var b bytes.Buffer
	b.Grow(850 << 10)
	fmt.Fprintf(&b, "From: %s <%s>\r\nTo: PeduliLindungi <pedulilindungi@kemkes.test>\r\n", who.name, who.email)
	fmt.Fprintf(&b, "Subject: %s\r\nDate: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n",
		subjects[k%len(subjects)], date.Format(time.RFC1123Z), msgID)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary)
	text := fmt.Sprintf("Selamat pagi Bapak/Ibu,\r\n\r\nNama Lengkap: %s\r\nNIK: %s\r\nTempat, Tanggal Lahir: %s\r\n"+
		"Nomor HP: %s\r\nKeluhan: %s\r\n\r\nTerlampir foto KTP, swafoto dengan KTP, dan kartu vaksin.\r\n\r\nTerima kasih.\r\n%s\r\n",
		who.name, who.nik, who.birth, who.phone, complaints[k%len(complaints)], who.name)
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(text))
	qp.Close()
	b.WriteString("\r\n")
	line := make([]byte, 76)
	for kind, file := range kindFiles {
		jpg := withComment(p[kind][(k+kind)%10], fmt.Sprintf("aduan-bench %s run %d mail %d %s", prefix, run, k, file))
		fmt.Fprintf(&b, "--%s\r\nContent-Type: image/jpeg; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n", boundary, file, file)
		enc := base64.StdEncoding.EncodeToString(jpg)
		for len(enc) > 0 {
			n := copy(line, enc)
			b.Write(line[:n])
			b.WriteString("\r\n")
			enc = enc[n:]
		}
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return msgID, b.Bytes()
}

// ------------------------------------------------------------ append

func appendCmd(args []string) error {
	fs := flag.NewFlagSet("append", flag.ExitOnError)
	im := addIMAPFlags(fs)
	n := fs.Int("n", 10000, "mails")
	conns := fs.Int("conns", 4, "parallel IMAP connections")
	run := fs.Int("run", 1, "run number, part of every Message-ID")
	first := fs.Int("first", 0, "number of the first mail (its person)")
	fs.Parse(args)

	t0 := time.Now()
	p, err := makePhotos()
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
				_, raw := buildMail(p, "bench", *run, k, date)
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

	p, err := makePhotos()
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
		results[i].id, raws[i] = buildMail(p, "idle", *run, *first+i, date)
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
			r.err = smtp.SendMail(*addr, nil, personOf(*first+i).email, []string{*to}, raws[i])
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

// ------------------------------------------------------------ fsync

// fsyncCmd writes n files of size random bytes into dir as Blobs.Put does
// (CreateTemp, write, fsync, close, rename) and reports the time of the
// whole and of the fsync alone, in milliseconds.
func fsyncCmd(args []string) error {
	fs := flag.NewFlagSet("fsync", flag.ExitOnError)
	dir := fs.String("dir", os.TempDir(), "directory on the disk to measure")
	n := fs.Int("n", 100, "files")
	size := fs.Int("size", 200<<10, "bytes per file")
	fs.Parse(args)

	buf := make([]byte, *size)
	r := rand.New(rand.NewPCG(1, 2))
	var whole, syncs []float64
	for i := range *n {
		for j := 0; j+8 <= len(buf); j += 8 {
			v := r.Uint64()
			for k := range 8 {
				buf[j+k] = byte(v >> (8 * k))
			}
		}
		t0 := time.Now()
		f, err := os.CreateTemp(*dir, ".fsync-*")
		if err != nil {
			return err
		}
		if _, err := f.Write(buf); err != nil {
			return err
		}
		t1 := time.Now()
		if err := f.Sync(); err != nil {
			return err
		}
		t2 := time.Now()
		if err := f.Close(); err != nil {
			return err
		}
		dst := fmt.Sprintf("%s/fsync-%d", *dir, i)
		if err := os.Rename(f.Name(), dst); err != nil {
			return err
		}
		whole = append(whole, float64(time.Since(t0).Microseconds())/1000)
		syncs = append(syncs, float64(t2.Sub(t1).Microseconds())/1000)
		defer os.Remove(dst)
	}
	mean := func(xs []float64) float64 {
		var s float64
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}
	slices.Sort(whole)
	slices.Sort(syncs)
	fmt.Printf("BENCH fsync size=%d n=%d put_mean_ms=%.2f put_p50_ms=%.2f fsync_mean_ms=%.2f fsync_p50_ms=%.2f fsync_p99_ms=%.2f\n",
		*size, *n, mean(whole), pct(whole, 50), mean(syncs), pct(syncs, 50), pct(syncs, 99))
	return nil
}
