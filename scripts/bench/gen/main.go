// Command gen writes the benchmarks' synthetic data (package
// scripts/bench/synth) for scripts/bench-*.sh to load or send. It is not part
// of Aduan.
//
//	gen people -from K -n N            people K..K+N-1 as CSV: k, name, nik, phone (E.164)
//	gen people -run R -n N             the first N new callers of run R (0..10; 10: the database's own run)
//	gen calls -run R -pool P -n N      N bodies of POST /api/v1/tickets, one JSON a line
//	          [-vegeta URL -token T]   or as vegeta targets (JSON lines with the body in base64)
//	gen complainants -start D -n N     the report's complainants 1..N as CSV (synth.ComplainantColumns)
//	gen tickets -start D -days N -total T -complainants C -lo L -hi H
//	                                   the report's tickets L..H of T as CSV (synth.TicketColumns)
//	gen columns complainants|tickets   the column list of those CSV rows, for COPY
//	gen year users|complainants|identities|tickets|messages -start D -days N -total T
//	         -complainants C -agents A -thread K -lo L -hi H [-password P]
//	                                   a year at national volume (synth.Year), rows L..H
//	                                   (complainants L..H for complainants and identities,
//	                                   tickets L..H for tickets and messages) as CSV
//	gen columns users|identities|year-tickets|messages
//
// D is a date, YYYY-MM-DD, read as midnight WIB.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
	"github.com/aduan/aduan/scripts/bench/synth"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gen people|calls|complainants|tickets|columns [flags]")
		os.Exit(2)
	}
	if err := run(os.Stdout, os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	switch cmd {
	case "people":
		from, n := fs.Int("from", 0, "first person"), fs.Int("n", 0, "how many")
		runN := fs.Int("run", -1, "the new callers of this run, 0..10")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *runN >= 0 {
			if *runN > synth.RunsLimit || *n > synth.PoolLimit {
				return fmt.Errorf("people: run %d (0..%d), n %d (at most %d)", *runN, synth.RunsLimit, *n, synth.PoolLimit)
			}
			*from = synth.NewCallers(*runN)
		}
		return people(out, *from, *n)
	case "calls":
		runN, pool, n := fs.Int("run", 0, "run, 0..9"), fs.Int("pool", 0, "returning complainants"), fs.Int("n", 0, "how many")
		url, token := fs.String("vegeta", "", "write vegeta targets for this URL"), fs.String("token", "", "bearer token (vegeta)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return calls(out, *runN, *pool, *n, *url, *token)
	case "complainants", "tickets":
		start := fs.String("start", "2021-07-05", "first day, YYYY-MM-DD (WIB)")
		days, total := fs.Int("days", 728, "days of history"), fs.Int64("total", 0, "tickets in all")
		people, n := fs.Int64("complainants", 0, "complainants in all"), fs.Int64("n", 0, "complainants (complainants)")
		lo, hi := fs.Int64("lo", 1, "first ticket id"), fs.Int64("hi", 0, "last ticket id")
		if err := fs.Parse(args); err != nil {
			return err
		}
		day, err := time.ParseInLocation(time.DateOnly, *start, ticket.Jakarta)
		if err != nil {
			return err
		}
		if cmd == "complainants" {
			return synth.History{Start: day, Complainants: *n}.WriteComplainants(out)
		}
		if *total <= 0 || *people <= 0 || *lo < 1 || *hi > *total || *days <= 0 {
			return errors.New("tickets: need -total, -complainants, -days > 0 and 1 <= -lo, -hi <= -total")
		}
		return synth.History{Start: day, Days: *days, Total: *total, Complainants: *people}.WriteTickets(out, *lo, *hi)
	case "year":
		return year(out, args)
	case "columns":
		if cols, ok := yearColumns[strings.Join(args, " ")]; ok {
			_, err := fmt.Fprintln(out, cols)
			return err
		}
		if len(args) == 1 && args[0] == "complainants" {
			_, err := fmt.Fprintln(out, synth.ComplainantColumns)
			return err
		} else if len(args) == 1 && args[0] == "tickets" {
			_, err := fmt.Fprintln(out, synth.TicketColumns)
			return err
		}
		return errors.New("columns: complainants or tickets")
	}
	return fmt.Errorf("unknown command %q", cmd)
}

func people(out io.Writer, from, n int) error {
	if from < 0 || n < 0 || from+n > synth.MaxPeople {
		return fmt.Errorf("people: %d..%d outside 0..%d", from, from+n-1, synth.MaxPeople-1)
	}
	w := bufio.NewWriter(out)
	for k := from; k < from+n; k++ {
		p := synth.PersonOf(k)
		fmt.Fprintf(w, "%d,%s,%s,%s\n", k, p.Name, p.NIK, p.PhoneE164())
	}
	return w.Flush()
}

func calls(out io.Writer, run, pool, n int, url, token string) error {
	c, err := synth.NewCalls(run, pool)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	header := map[string][]string{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + token}}
	for range n {
		body := c.NextJSON()
		if url == "" {
			w.Write(body)
			w.WriteByte('\n')
			continue
		}
		// []byte is base64 in JSON, as vegeta wants the body.
		if err := enc.Encode(map[string]any{"method": "POST", "url": url, "header": header, "body": body}); err != nil {
			return err
		}
	}
	return w.Flush()
}
