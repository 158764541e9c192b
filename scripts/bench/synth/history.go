package synth

import (
	"bufio"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// History is two years (or any span) of a help desk's tickets, for the
// weekly report benchmark: Total tickets created evenly over Days days from
// Start (a Monday, WIB) in id order, as real tickets are inserted, each
// from one of Complainants people.
//
// Distributions, after the help desk's own figures (134,000 mails and 80,000
// calls a week): channel email 55%, callcenter 33%, whatsapp 10%, sms 2%;
// category certificate_missing 45%, personal_data_change 20%,
// certificate_data_error 15%, vaccination_status 7%, app_issue 6%,
// nik_conflict 5%, other 2%; priority normal 80%, high 12%, low 5%, urgent 3%.
// Fate: 3% closed without a resolution (duplicates, spam) within two days,
// 2% stuck open, the rest resolved after an exponential delay (mean three
// days); a closing or resolution past the data's end leaves the ticket
// open; resolved tickets are closed a week later. First response: calls
// on the call (0-5 min); otherwise 92% answered after an exponential delay
// (mean six hours), due 24 h after creation; breached when late, plus 2%
// marked breached anyway.
type History struct {
	Start        time.Time
	Days         int
	Total        int64
	Complainants int64
}

// ComplainantColumns are the columns of WriteComplainants' rows, for COPY.
const ComplainantColumns = "id, name, nik, phone, created_at, updated_at"

// TicketColumns are the columns of WriteTickets' rows, for COPY. The rows
// are consistent as the database's triggers would leave them (finished_at
// set when resolved or closed), so they may be loaded with triggers off.
const TicketColumns = "id, number, channel, category, status, priority, complainant_id, description, " +
	"first_response_due, first_responded_at, sla_breached, created_at, updated_at, resolved_at, finished_at"

// WriteComplainants writes complainants 1..h.Complainants as CSV rows;
// complainant id is person id of PersonOf, known since half a year before
// the history starts.
func (h History) WriteComplainants(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	since := h.Start.AddDate(0, -6, 0)
	var b []byte
	for id := int64(1); id <= h.Complainants; id++ {
		p := PersonOf(int(id))
		b = strconv.AppendInt(b[:0], id, 10)
		b = append(b, ',')
		b = append(b, p.Name...)
		b = append(b, ',')
		b = append(b, p.NIK...)
		b = append(b, ',')
		b = append(b, p.PhoneE164()...)
		b = append(b, ',')
		b = appendTime(b, since)
		b = append(b, ',')
		b = appendTime(b, since)
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Ticket is one ticket of the history; nil times are NULL.
type Ticket struct {
	ID                 int64
	Channel            ticket.Channel
	Category           ticket.Category
	Status             ticket.Status
	Priority           ticket.Priority
	ComplainantID      int64
	Created, Updated   time.Time
	FirstResponseDue   time.Time
	FirstResponded     *time.Time
	Resolved, Finished *time.Time
	SLABreached        bool
}

// TicketOf returns ticket id (1 <= id <= h.Total). Its draws depend on id
// alone.
func (h History) TicketOf(id int64) Ticket {
	r := rand.New(rand.NewPCG(uint64(id), 0x7e57))
	end := h.Start.AddDate(0, 0, h.Days)
	span := end.Sub(h.Start)
	created := h.Start.Add(time.Duration((float64(id-1) + r.Float64()) / float64(h.Total) * float64(span)))
	t := Ticket{ID: id, Created: created, FirstResponseDue: created.Add(24 * time.Hour),
		Channel: pick(r.Float64(), []float64{0.55, 0.88, 0.98}, []ticket.Channel{ticket.ChannelEmail,
			ticket.ChannelCallCenter, ticket.ChannelWhatsApp, ticket.ChannelSMS}),
		Category: pick(r.Float64(), []float64{0.45, 0.65, 0.80, 0.87, 0.93, 0.98}, []ticket.Category{
			ticket.CategoryCertificateMissing, ticket.CategoryPersonalDataChange, ticket.CategoryCertificateDataError,
			ticket.CategoryVaccinationStatus, ticket.CategoryAppIssue, ticket.CategoryNIKConflict, ticket.CategoryOther}),
		Priority: pick(r.Float64(), []float64{0.80, 0.92, 0.97}, []ticket.Priority{ticket.PriorityNormal,
			ticket.PriorityHigh, ticket.PriorityLow, ticket.PriorityUrgent}),
		ComplainantID: 1 + int64(r.Float64()*float64(h.Complainants)),
	}
	fate, delay, resp, wait, status, breach := r.Float64(), r.Float64(), r.Float64(), r.Float64(), r.Float64(), r.Float64()
	before := func(d time.Duration) *time.Time {
		if at := created.Add(d); !at.After(end) {
			return &at
		}
		return nil
	}
	exp := func(u float64, mean time.Duration) time.Duration {
		return time.Duration(-math.Log(1-u) * float64(mean))
	}
	var closed *time.Time
	switch {
	case fate < 0.03:
		closed = before(time.Duration(delay * float64(48*time.Hour)))
	case fate >= 0.05:
		t.Resolved = before(exp(delay, 72*time.Hour))
	}
	switch {
	case t.Channel == ticket.ChannelCallCenter:
		t.FirstResponded = before(time.Duration(resp * float64(5*time.Minute)))
	case resp < 0.92:
		t.FirstResponded = before(exp(wait, 6*time.Hour))
	}
	switch {
	case t.Resolved != nil && t.Resolved.Before(end.AddDate(0, 0, -7)):
		t.Status = ticket.StatusClosed
	case t.Resolved != nil:
		t.Status = ticket.StatusResolved
	case closed != nil:
		t.Status = ticket.StatusClosed
	default:
		t.Status = []ticket.Status{ticket.StatusNew, ticket.StatusNeedsInfo, ticket.StatusOpen,
			ticket.StatusPending}[int(status*4)]
	}
	t.Finished = t.Resolved
	if t.Finished == nil {
		t.Finished = closed
	}
	t.Updated = created
	if t.Finished != nil {
		t.Updated = *t.Finished
	}
	t.SLABreached = (t.FirstResponded != nil && t.FirstResponded.After(t.FirstResponseDue)) || breach < 0.02
	return t
}

// pick returns the value whose cumulative share u falls under: values[i]
// for the first bounds[i] > u, the last value past every bound.
func pick[T any](u float64, bounds []float64, values []T) T {
	for i, b := range bounds {
		if u < b {
			return values[i]
		}
	}
	return values[len(values)-1]
}

// WriteTickets writes tickets lo..hi as CSV rows in TicketColumns' order.
func (h History) WriteTickets(w io.Writer, lo, hi int64) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var b []byte
	for id := lo; id <= hi; id++ {
		t := h.TicketOf(id)
		b = appendTicket(b[:0], t, Descriptions[t.Category])
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// appendTicket appends t as a CSV row in TicketColumns' order, without the
// line's end, with description as its text.
func appendTicket(b []byte, t Ticket, description string) []byte {
	b = strconv.AppendInt(b, t.ID, 10)
	b = append(b, ',')
	b = append(b, ticket.FormatNumber(t.Created, t.ID)...)
	for _, s := range []string{string(t.Channel), string(t.Category), string(t.Status), string(t.Priority)} {
		b = append(b, ',')
		b = append(b, s...)
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, t.ComplainantID, 10)
	b = append(b, ",\""...)
	b = append(b, description...)
	b = append(b, "\","...)
	b = appendTime(b, t.FirstResponseDue)
	b = append(b, ',')
	b = appendTimeOrNull(b, t.FirstResponded)
	b = append(b, ',')
	b = strconv.AppendBool(b, t.SLABreached)
	for _, at := range []time.Time{t.Created, t.Updated} {
		b = append(b, ',')
		b = appendTime(b, at)
	}
	for _, at := range []*time.Time{t.Resolved, t.Finished} {
		b = append(b, ',')
		b = appendTimeOrNull(b, at)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "2006-01-02 15:04:05.999999Z07:00")
}

// appendTimeOrNull writes nothing for nil: an unquoted empty CSV field is NULL to COPY.
func appendTimeOrNull(b []byte, t *time.Time) []byte {
	if t == nil {
		return b
	}
	return appendTime(b, *t)
}
