package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// defaultKinds are the request kinds measured unless -kinds says otherwise,
// one "NAME=PATH" a line (see parseKinds). Adding a console page is one more
// line here, or a -pages flag: "antrean:queue=/antrean?queue={queue}".
const defaultKinds = `queue=/api/v1/tickets?queue={queue}&status=open&assignee={agent}
queue-all=/api/v1/tickets?queue={queue}&status=open
queue-new=/api/v1/tickets?queue={queue}&status=new&assignee=none
ticket-200=/api/v1/tickets/{number}
ticket=/api/v1/tickets/{number}
lookup-nik=/api/v1/complainants?nik={nik}
lookup-phone=/api/v1/complainants?phone={phone}
search-number=/api/v1/tickets?q={q}
search-number-start=/api/v1/tickets?q={q}
search-nik=/api/v1/tickets?q={q}
search-phone=/api/v1/tickets?q={q}
search-name=/api/v1/tickets?q={q}
search-words=/api/v1/tickets?q={q}`

// kind is one kind of request: a path with placeholders filled from the
// parameters its source draws, and the plain SELECT of the same rows.
type kind struct {
	name, path string
	src        *source
	// post: sent as POST with PATH's query as the form body (the call
	// form's lookup is a POST fragment); otherwise GET.
	post bool
}

// params are one request's placeholder values ({queue}, {number}, …).
type params map[string]string

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

func (k kind) url(p params) string {
	return placeholder.ReplaceAllStringFunc(k.path, func(m string) string { return escape(p[m[1:len(m)-1]]) })
}

// source draws parameters for a request by an agent and runs the plain
// indexed SELECT of the rows that request shows.
type source struct {
	search bool // a search (target 100 ms) rather than a page (50 ms)
	draw   func(r *rand.Rand, a *agent, d *sample) params
	plain  func(ctx context.Context, db *pgxpool.Pool, p params) error
}

// ticketCols and the join are what the API's ticket rows read.
const ticketCols = `t.id, t.number, t.channel, t.category, t.status, t.priority, t.queue, t.assignee_id, t.subject,
	t.description, t.created_at, t.updated_at, c.id, c.name, c.nik, c.phone`
const fromTickets = ` FROM tickets t JOIN complainants c ON c.id = t.complainant_id `

// searchSQL is a list's rows: the newest 26 tickets matching cond, then
// their complainants.
func searchSQL(cond string) string {
	return "SELECT " + ticketCols + " FROM (SELECT * FROM tickets t WHERE " + cond +
		" ORDER BY t.id DESC LIMIT 26) t JOIN complainants c ON c.id = t.complainant_id ORDER BY t.id DESC"
}

// byStatus is searchSQL's rows for cond in any of statuses, read as the
// newest 26 of each status and merged.
func byStatus(cond string, statuses ...string) string {
	parts := make([]string, len(statuses))
	for i, st := range statuses {
		parts[i] = "(SELECT * FROM tickets t WHERE " + cond + " AND t.status = '" + st + "' ORDER BY t.id DESC LIMIT 26)"
	}
	return "SELECT " + ticketCols + " FROM (SELECT * FROM (" + strings.Join(parts, " UNION ALL ") +
		") t ORDER BY t.id DESC LIMIT 26) t JOIN complainants c ON c.id = t.complainant_id ORDER BY t.id DESC"
}

const byIdentity = "t.complainant_id IN (SELECT complainant_id FROM complainant_identities WHERE kind = $2 AND value = $1)"

// wordsSQL is the rows of a search by words: tickets whose text has them
// and the newest tickets of complainants whose name's words start with
// them (each one's from the (complainant_id, id) index), merged.
var wordsSQL = "(" + searchSQL("t.search @@ plainto_tsquery('simple', $1)") + ") UNION (" +
	searchSQL("t.id IN (SELECT x.id FROM complainants m CROSS JOIN LATERAL "+
		"(SELECT t.id FROM tickets t WHERE t.complainant_id = m.id ORDER BY t.id DESC LIMIT 26) x "+
		"WHERE to_tsvector('simple', m.name) @@ to_tsquery('simple', $2) ORDER BY x.id DESC LIMIT 26)") +
	") ORDER BY 1 DESC LIMIT 26"

type explainKey struct{}

// explained writes EXPLAIN ANALYZE of sql to the writer ctx carries, if any.
func explained(ctx context.Context, db *pgxpool.Pool, sql string, args ...any) error {
	w, ok := ctx.Value(explainKey{}).(io.Writer)
	if !ok {
		return nil
	}
	rs, err := db.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	fmt.Fprintf(w, "-- %s\n-- %v\n", strings.Join(strings.Fields(sql), " "), args)
	for rs.Next() {
		var line string
		if err := rs.Scan(&line); err != nil {
			return err
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w)
	return rs.Err()
}

func rows(ctx context.Context, db *pgxpool.Pool, sql string, args ...any) error {
	if err := explained(ctx, db, sql, args...); err != nil {
		return err
	}
	rs, err := db.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		if _, err := rs.Values(); err != nil {
			return err
		}
	}
	return rs.Err()
}

// ticketPage is the ticket page's rows: the ticket with its complainant,
// its messages, attachments and events.
func ticketPage(ctx context.Context, db *pgxpool.Pool, number string) error {
	var id int64
	byNumber := "SELECT t.id" + fromTickets + "WHERE t.number = $1"
	if err := explained(ctx, db, byNumber, number); err != nil {
		return err
	}
	if err := db.QueryRow(ctx, byNumber, number).Scan(&id); err != nil {
		return err
	}
	for _, q := range []string{"SELECT " + ticketCols + fromTickets + "WHERE t.id = $1",
		"SELECT * FROM messages WHERE ticket_id = $1 ORDER BY id", "SELECT * FROM attachments WHERE ticket_id = $1 ORDER BY id",
		"SELECT * FROM ticket_events WHERE ticket_id = $1 ORDER BY id"} {
		if err := rows(ctx, db, q, id); err != nil {
			return err
		}
	}
	return nil
}

// lookup is the caller lookup's rows: the complainants with the identity
// and up to 50 tickets of each.
func lookup(ctx context.Context, db *pgxpool.Pool, kind, value string) error {
	people := "SELECT c.id, c.name, c.nik, c.phone FROM complainants c WHERE c.id IN " +
		"(SELECT complainant_id FROM complainant_identities WHERE kind = $1 AND value = $2) ORDER BY updated_at DESC, id DESC LIMIT 50"
	if err := explained(ctx, db, people, kind, value); err != nil {
		return err
	}
	rs, err := db.Query(ctx, people, kind, value)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rs, func(r pgx.CollectableRow) (int64, error) {
		var id int64
		var name, phone string
		var nik *string
		return id, r.Scan(&id, &name, &nik, &phone)
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := rows(ctx, db, "SELECT "+ticketCols+fromTickets+"WHERE t.complainant_id = $1 ORDER BY t.id DESC LIMIT 51", id); err != nil {
			return err
		}
	}
	return nil
}

// sources are the kinds of request the load program knows how to draw.
var sources = map[string]*source{
	"queue": {
		draw: func(_ *rand.Rand, a *agent, _ *sample) params {
			return params{"queue": a.queue, "agent": fmt.Sprint(a.id)}
		},
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			return rows(ctx, db, searchSQL("t.queue = $1 AND t.status = 'open' AND t.assignee_id = $2"), p["queue"], p["agent"])
		},
	},
	"queue-all": {
		draw: func(_ *rand.Rand, a *agent, _ *sample) params { return params{"queue": a.queue} },
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			return rows(ctx, db, searchSQL("t.queue = $1 AND t.status = 'open'"), p["queue"])
		},
	},
	"queue-new": {
		draw: func(_ *rand.Rand, a *agent, _ *sample) params { return params{"queue": a.queue} },
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			return rows(ctx, db, searchSQL("t.queue = $1 AND t.status = 'new' AND t.assignee_id IS NULL"), p["queue"])
		},
	},
	"antrean": {
		// the console's queue page: my open tickets, and my queue's tickets
		// nobody holds yet (new and open)
		draw: func(_ *rand.Rand, a *agent, _ *sample) params {
			return params{"queue": a.queue, "agent": fmt.Sprint(a.id)}
		},
		// each list as the newest of each status, merged: in one range per
		// list PostgreSQL reads every row of those statuses (44,000 new
		// tickets of a queue) to keep 26
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			if err := rows(ctx, db, byStatus("t.assignee_id = $1", "new", "needs_info", "open", "pending"), p["agent"]); err != nil {
				return err
			}
			return rows(ctx, db, byStatus("t.queue = $1 AND t.assignee_id IS NULL", "new", "open"), p["queue"])
		},
	},
	"ticket-200": {
		draw: func(_ *rand.Rand, _ *agent, d *sample) params { return params{"number": d.thread} },
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			return ticketPage(ctx, db, p["number"])
		},
	},
	"ticket": {
		draw: func(r *rand.Rand, _ *agent, d *sample) params { return params{"number": pick(r, d.numbers)} },
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			return ticketPage(ctx, db, p["number"])
		},
	},
	"lookup-nik": {
		draw: func(r *rand.Rand, _ *agent, d *sample) params { return params{"nik": pick(r, d.niks)} },
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			return lookup(ctx, db, "nik", p["nik"])
		},
	},
	"lookup-phone": {
		draw: func(r *rand.Rand, _ *agent, d *sample) params { return params{"phone": pick(r, d.phones)} },
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			return lookup(ctx, db, "phone", p["phone"])
		},
	},
	"search-number": {search: true,
		draw: func(r *rand.Rand, _ *agent, d *sample) params { return params{"q": pick(r, d.numbers)} },
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			return rows(ctx, db, searchSQL("t.number = $1"), p["q"])
		},
	},
	"search-number-start": {search: true,
		// a day and the first digits of the sequence, as an agent types it
		draw: func(r *rand.Rand, _ *agent, d *sample) params {
			n := pick(r, d.numbers)
			return params{"q": n[:len(n)-3]}
		},
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			q := p["q"]
			next := q[:len(q)-1] + string(q[len(q)-1]+1)
			return rows(ctx, db, searchSQL("t.number LIKE $1 AND t.number ~>=~ $2 AND t.number ~<~ $3"), q+"%", q, next)
		},
	},
	"search-nik": {search: true,
		draw: func(r *rand.Rand, _ *agent, d *sample) params { return params{"q": pick(r, d.niks)} },
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			return rows(ctx, db, searchSQL(byIdentity), p["q"], "nik")
		},
	},
	"search-phone": {search: true,
		// as people write it: 0812-3456-7890
		draw: func(r *rand.Rand, _ *agent, d *sample) params {
			e := pick(r, d.phones)
			local := "0" + strings.TrimPrefix(e, "+62")
			return params{"q": local[:4] + "-" + local[4:8] + "-" + local[8:], "e164": e}
		},
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			return rows(ctx, db, searchSQL(byIdentity), p["e164"], "phone")
		},
	},
	"search-name": {search: true,
		// a first name and the start of a last name: "siti amin"
		draw: func(r *rand.Rand, _ *agent, d *sample) params {
			f := strings.Fields(pick(r, d.names))
			last := f[len(f)-1]
			return params{"q": strings.ToLower(f[0] + " " + last[:min(len(last), 4)])}
		},
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			return rows(ctx, db, wordsSQL, p["q"], prefixQuery(p["q"]))
		},
	},
	"search-words": {search: true,
		// two words of a complaint: a town and a vaccine
		draw: func(r *rand.Rand, _ *agent, d *sample) params {
			return params{"q": pick(r, d.towns) + " " + pick(r, d.vaccines)}
		},
		plain: func(ctx context.Context, db *pgxpool.Pool, p params) error {
			return rows(ctx, db, wordsSQL, p["q"], prefixQuery(p["q"]))
		},
	},
}

func prefixQuery(text string) string {
	ws := strings.Fields(strings.ToLower(text))
	for i, w := range ws {
		ws[i] = w + ":*"
	}
	return strings.Join(ws, " & ")
}

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

var kindName = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// parseKinds reads "NAME=PATH" or "NAME:SOURCE=PATH" lines (or ";"
// separated); "NAME:SOURCE=POST PATH" posts PATH's query as a form. NAME is the kind's name in the report; SOURCE (by default
// NAME) is one of sources, whose parameters fill PATH's placeholders and
// whose plain SELECT is the kind's baseline.
func parseKinds(text string) ([]kind, error) {
	var out []kind
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' }) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		head, path, ok := strings.Cut(line, "=")
		path, post := strings.CutPrefix(path, "POST ")
		name, src, _ := strings.Cut(head, ":")
		if src == "" {
			src = name
		}
		s := sources[src]
		if !ok || !kindName.MatchString(name) || s == nil || !strings.HasPrefix(path, "/") {
			return nil, fmt.Errorf("kind %q: want NAME[:SOURCE]=/PATH with SOURCE one of %s", line, sourceNames())
		}
		out = append(out, kind{name: name, path: path, src: s, post: post})
	}
	return out, nil
}

func sourceNames() string {
	var ns []string
	for n := range sources {
		ns = append(ns, n)
	}
	return strings.Join(ns, ", ")
}
