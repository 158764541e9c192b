package main

import (
	"errors"
	"flag"
	"io"
	"time"

	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/ticket"
	"github.com/aduan/aduan/scripts/bench/synth"
)

// yearColumns are the column lists of gen year's rows, for COPY.
var yearColumns = map[string]string{
	"users":        synth.UserColumns,
	"identities":   synth.IdentityColumns,
	"year-tickets": synth.YearTicketColumns,
	"messages":     synth.MessageColumns,
}

// year writes one kind of rows of synth.Year: gen year KIND [flags].
func year(out io.Writer, args []string) error {
	if len(args) < 1 {
		return errors.New("year: users, complainants, identities, tickets or messages")
	}
	kind := args[0]
	fs := flag.NewFlagSet("year "+kind, flag.ContinueOnError)
	start := fs.String("start", "2025-12-01", "first day, YYYY-MM-DD (WIB)")
	days, total := fs.Int("days", 365, "days of history"), fs.Int64("total", 0, "tickets in all")
	people, agents := fs.Int64("complainants", 0, "complainants in all"), fs.Int("agents", 300, "agents (users 1..A)")
	thread := fs.Int64("thread", 0, "the ticket with synth.ThreadMessages messages")
	lo, hi := fs.Int64("lo", 1, "first row"), fs.Int64("hi", 0, "last row")
	password := fs.String("password", "", "the agents' password (users)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	day, err := time.ParseInLocation(time.DateOnly, *start, ticket.Jakarta)
	if err != nil {
		return err
	}
	y := synth.Year{History: synth.History{Start: day, Days: *days, Total: *total, Complainants: *people},
		Agents: *agents, Thread: *thread}
	switch kind {
	case "users":
		if *password == "" {
			return errors.New("year users: need -password")
		}
		hash, err := httpapi.HashPassword(*password)
		if err != nil {
			return err
		}
		return y.WriteUsers(out, hash)
	case "complainants", "identities":
		if *lo < 1 || *hi > *people {
			return errors.New("year: need 1 <= -lo, -hi <= -complainants")
		}
		if kind == "identities" {
			return y.WriteIdentities(out, *lo, *hi)
		}
		return y.WriteComplainants(out, *lo, *hi)
	case "tickets", "messages":
		if *total <= 0 || *people <= 0 || *lo < 1 || *hi > *total || *days <= 0 || *agents <= 0 {
			return errors.New("year: need -total, -complainants, -days, -agents > 0 and 1 <= -lo, -hi <= -total")
		}
		if kind == "messages" {
			return y.WriteMessages(out, *lo, *hi)
		}
		return y.WriteTickets(out, *lo, *hi)
	}
	return errors.New("year: users, complainants, identities, tickets or messages")
}
