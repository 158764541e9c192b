package console

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/aduan/aduan/pkg/desk"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/ticket"
)

// callView is the call form: what was typed, what is wrong with it, who
// the caller turned out to be, and the ticket once saved.
type callView struct {
	Form   intake.Call
	Key    string // the form's idempotency key: a double submit saves once
	Errors map[string]string
	People []caller
	Saved  *ticket.Ticket
	Open   []ticket.Ticket // the caller's other open tickets, once saved
	Typed  map[string]bool // the fields the lookup was asked about
}

// caller is a known person matching what was typed, with their history.
type caller struct {
	Complainant ticket.Complainant
	Open        []ticket.Ticket
	History     []ticket.Ticket
}

// formFields maps the call's field names (as its validation names them)
// to the form's inputs.
var formFields = map[string]string{
	"complainant.nik": "nik", "complainant.name": "name", "complainant.phone": "phone",
	"complainant.email": "email", "complainant.birth_place": "birth_place",
	"complainant.birth_date": "birth_date", "category": "category", "description": "description",
	"call_ref": "call_ref", "subject": "subject", "priority": "priority", "channel": "category",
}

func (c *Console) callPage(g *gin.Context) {
	c.render(g, http.StatusOK, "call", "Panggilan Baru", "panggilan", callView{Key: uuid.NewString()})
}

// callForm reads the form into the shape POST /api/v1/tickets takes, so
// both are checked by the same rules (intake.Call.Inbound).
func callForm(g *gin.Context) intake.Call {
	return intake.Call{Channel: string(ticket.ChannelCallCenter), Category: g.PostForm("category"),
		Description: g.PostForm("description"), CallRef: g.PostForm("call_ref"),
		Complainant: intake.Caller{Name: g.PostForm("name"), NIK: g.PostForm("nik"), Phone: g.PostForm("phone"),
			Email: g.PostForm("email"), BirthPlace: g.PostForm("birth_place"), BirthDate: isoDate(g.PostForm("birth_date"))}}
}

// isoDate turns the console's dd/mm/yyyy into the API's YYYY-MM-DD; any
// other text is left for the validation to refuse with its message.
func isoDate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 10 && s[2] == '/' && s[5] == '/' {
		return s[6:] + "-" + s[3:5] + "-" + s[:2]
	}
	return s
}

// fieldErrors names, by form input, what the call's validation refused.
func fieldErrors(err error) map[string]string {
	var e *ticket.Error
	if !errors.As(err, &e) {
		return nil
	}
	out := map[string]string{}
	for k, msg := range e.Fields {
		if f, ok := formFields[k]; ok {
			if _, taken := out[f]; !taken {
				out[f] = msg
			}
		}
	}
	return out
}

// checkCall answers the form as it is typed: NIK and phone checked by the
// API's rules (only once something is typed in them) and the caller looked
// up by whichever of the two is valid.
func (c *Console) checkCall(g *gin.Context) {
	form := callForm(g)
	_, err := form.Inbound(me(g), c.now())
	all := fieldErrors(err)
	v := callView{Form: form, Errors: map[string]string{}, Typed: map[string]bool{}}
	for _, f := range []string{"nik", "phone"} {
		if strings.TrimSpace(g.PostForm(f)) != "" {
			v.Typed[f] = true
			if msg, bad := all[f]; bad {
				v.Errors[f] = msg
			}
		}
	}
	people, err := c.lookUp(g, form, v.Errors)
	if err != nil {
		c.fail(g, err)
		return
	}
	v.People = people
	c.fragment(g, http.StatusOK, "call", "check", v)
}

// lookUp finds the people the caller may be, by a valid NIK or phone
// number, with their tickets on every channel.
func (c *Console) lookUp(g *gin.Context, form intake.Call, bad map[string]string) ([]caller, error) {
	var ids []ticket.Identity
	if nik := ticket.NormalizeNIK(form.Complainant.NIK); nik != "" && bad["nik"] == "" {
		if _, err := ticket.ParseNIK(nik, c.now()); err == nil {
			ids = append(ids, ticket.Identity{Kind: ticket.IdentityNIK, Value: nik})
		}
	}
	if strings.TrimSpace(form.Complainant.Phone) != "" && bad["phone"] == "" {
		if p, err := ticket.NormalizePhone(form.Complainant.Phone); err == nil {
			ids = append(ids, ticket.Identity{Kind: ticket.IdentityPhone, Value: p})
		}
	}
	seen := map[int64]bool{}
	var out []caller
	for _, id := range ids {
		found, err := c.cfg.Desk.FindComplainants(g.Request.Context(), id)
		if err != nil {
			return nil, err
		}
		for _, l := range found {
			if seen[l.Complainant.ID] {
				continue
			}
			seen[l.Complainant.ID] = true
			out = append(out, toCaller(l))
		}
	}
	return out, nil
}

func toCaller(l desk.Lookup) caller {
	p := caller{Complainant: l.Complainant}
	for _, t := range l.Tickets {
		if t.Status.IsOpen() {
			p.Open = append(p.Open, t)
		}
		p.History = append(p.History, t)
	}
	return p
}

// saveCall is Simpan Tiket: the call becomes a ticket through the same
// Ingester as every channel, and its number is shown.
func (c *Console) saveCall(g *gin.Context) {
	agent, form := me(g), callForm(g)
	key := strings.TrimSpace(g.PostForm("kunci"))
	v := callView{Form: form, Key: key}
	in, err := form.Inbound(agent, c.now())
	if err != nil {
		if ticket.ErrorCode(err) != ticket.EINVALID {
			c.fail(g, err)
			return
		}
		v.Errors = fieldErrors(err)
		c.render(g, http.StatusUnprocessableEntity, "call", "Panggilan Baru", "panggilan", v)
		return
	}
	if _, err := uuid.Parse(key); err != nil {
		key = uuid.NewString()
	}
	// Scoped like the API's Idempotency-Key, so a form sent twice (a double
	// press, a retry after a timeout) makes one ticket.
	in.SourceID, in.SourceHash = fmt.Sprintf("agent:%d:console:%s", agent.ID, key), form.Fingerprint()
	res, err := c.cfg.Ingester.Ingest(g.Request.Context(), in)
	if err != nil {
		if ticket.ErrorCode(err) == ticket.EINVALID {
			v.Errors = fieldErrors(err)
			c.render(g, http.StatusUnprocessableEntity, "call", "Panggilan Baru", "panggilan", v)
			return
		}
		c.fail(g, err)
		return
	}
	t := res.Ticket
	c.log.InfoContext(g.Request.Context(), "console call saved", "ticket_id", t.ID, "user_id", agent.ID)
	v = callView{Key: uuid.NewString(), Saved: &t, Open: res.OpenTickets}
	c.render(g, http.StatusCreated, "call", "Tiket "+t.Number+" tersimpan", "panggilan", v)
}
