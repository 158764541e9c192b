package whatsapp

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// run answers the message according to the conversation's step.
func (t *turn) run(ctx context.Context) error {
	t.st.record(t.now, false, t.describe())
	switch t.command() {
	case "batal":
		t.reset()
		t.say(txtCancelled)
		return nil
	case "menu":
		t.mainMenu()
		return nil
	}
	if t.conv.TicketID != 0 {
		if done, err := t.toTicket(ctx); done || err != nil {
			return err
		}
	}
	if t.in.Message.Type == "text" && greetings[fold(t.in.Message.Text)] {
		// "hai" mid-way is someone starting over, not an answer to the
		// question asked (no name, NIK, number or code is a greeting).
		t.mainMenu()
		return nil
	}
	if t.conv.Step != stepStart && t.conv.ExpiresAt != nil && !t.sentAt().Before(*t.conv.ExpiresAt) {
		t.say(txtExpired(t.cfg.IdleTimeout))
		t.mainMenu()
		return nil
	}
	if t.conv.Step == stepStart {
		t.mainMenu()
		return nil
	}
	if r := t.in.Message.Reply; r != nil {
		return t.tap(ctx, r.ID)
	}
	if t.in.Message.Type != "text" {
		// Not a miss: a photo or a voice note is a person trying, and the
		// channel must never block on what the bot cannot read.
		t.say(txtUnsupported)
		t.reprompt()
		return nil
	}
	text := t.text()
	for i, o := range options(t.conv.Step) {
		// A title typed, or its place in the list: people answer menus
		// with "1" as often as with the words.
		if sameName(text, o.title) || fold(text) == strconv.Itoa(i+1) {
			return t.choose(ctx, o.action)
		}
	}
	return t.answer(ctx, text)
}

// sentAt is when the person sent the message: Meta's timestamp, so a
// message answered late because of a backlog is not taken for one sent
// after the session expired.
func (t *turn) sentAt() time.Time {
	if t.in.At.IsZero() || t.in.At.After(t.now) {
		return t.now
	}
	return t.in.At
}

// tap handles a tapped button or list row: applied only when it belongs
// to the prompt the bot waits on.
func (t *turn) tap(ctx context.Context, id string) error {
	seq, action, ok := parseButtonID(id)
	valid := ok && seq == t.st.Seq
	if valid {
		valid = false
		for _, o := range options(t.conv.Step) {
			valid = valid || o.action == action
		}
	}
	if !valid {
		t.say(txtStale)
		t.reprompt()
		return nil
	}
	return t.choose(ctx, action)
}

// choose applies an option of the current step.
func (t *turn) choose(ctx context.Context, action string) error {
	t.st.Misses = 0
	switch t.conv.Step {
	case stepMain:
		if action == "agent" {
			return t.escalate(ctx, escalation{category: ticket.CategoryOther, subject: "Hubungi Petugas lewat WhatsApp",
				complaint: "Pelapor meminta dihubungkan dengan petugas lewat bot WhatsApp."})
		}
		t.ask(stepPhone, txtAskPhone)
	case stepServices:
		t.st.Service, t.st.Change, t.st.Name, t.st.NIK = action, "", "", ""
		if action == serviceChange {
			t.ask(stepChange, txtChange)
			return nil
		}
		t.ask(stepName, txtAskName)
	case stepChange:
		t.st.Change = action
		t.ask(stepName, txtAskName)
	}
	return nil
}

// answer handles typed text at a step that waits for it.
func (t *turn) answer(ctx context.Context, text string) error {
	switch t.conv.Step {
	case stepMain:
		if greetings[fold(text)] {
			t.mainMenu()
			return nil
		}
	case stepPhone:
		phone, err := ticket.NormalizePhone(text)
		if err != nil {
			return t.miss(ctx, txtInvalid("Nomor HP", ticket.ErrorMessage(err)))
		}
		t.st.Misses = 0
		return t.sendCode(ctx, phone)
	case stepOTP:
		return t.checkCode(ctx, text)
	case stepName:
		name, err := ticket.NormalizeName(text)
		if err != nil {
			return t.miss(ctx, txtInvalid("Nama", ticket.ErrorMessage(err)))
		}
		t.st.Misses, t.st.Name = 0, name
		t.ask(stepNIK, txtAskNIK)
		return nil
	case stepNIK:
		if _, err := ticket.ParseNIK(text, t.now); err != nil {
			return t.miss(ctx, txtInvalid("NIK", ticket.ErrorMessage(err)))
		}
		t.st.Misses, t.st.NIK = 0, ticket.NormalizeNIK(text)
		return t.serve(ctx)
	case stepNewPhone:
		phone, err := ticket.NormalizePhone(text)
		if err != nil {
			return t.miss(ctx, txtInvalid("Nomor HP", ticket.ErrorMessage(err)))
		}
		t.st.Misses = 0
		return t.changePhone(ctx, phone)
	case stepDoseDate:
		return t.doseDate(ctx, text)
	}
	return t.miss(ctx, txtMiss)
}

// miss answers a message the bot did not understand and asks again; the
// third in a row goes to an agent.
func (t *turn) miss(ctx context.Context, why string) error {
	t.st.Misses++
	if t.st.Misses >= 3 {
		return t.escalate(ctx, escalation{category: ticket.CategoryOther, subject: "Pesan WhatsApp yang tidak dipahami bot",
			complaint: "Bot tidak memahami pesan pelapor tiga kali berturut-turut."})
	}
	t.say(why)
	t.reprompt()
	return nil
}

// sendCode issues a code for phone. The answer is the same whether the
// number is registered or not; only a registered one is sent a code, once
// the answer is committed.
func (t *turn) sendCode(ctx context.Context, phone string) error {
	_, err := t.Registry.ByPhone(ctx, phone)
	registered := err == nil
	if err != nil && !isNotFound(err) {
		return err
	}
	issued, err := t.otp.Issue(ctx, t.waID, phone, registered, t.now)
	if err != nil {
		return err
	}
	if issued.Limited {
		t.say(txtLimited(issued.RetryAt, t.now))
		t.mainMenu()
		return nil
	}
	t.st.Phone = phone
	t.conv.Step = stepOTP
	t.say(txtCodeSent(phone) + t.expiryNote())
	if registered {
		code, numberID, log := issued.code, t.in.PhoneNumberID, t.Log
		t.after = append(t.after, func(ctx context.Context) {
			// The person was already told a code is on its way; a failure
			// here is theirs to retry with "kirim ulang", and is logged
			// without the code or the number.
			if via, err := t.OTPSender.SendOTP(ctx, numberID, phone, code); err != nil {
				log.ErrorContext(ctx, "otp not sent", "challenge", issued.Challenge.ID, "err", err)
			} else {
				log.InfoContext(ctx, "otp sent", "challenge", issued.Challenge.ID, "via", via)
			}
		})
	}
	return nil
}

// checkCode handles text at the OTP step: a code, or a request for a new
// one.
func (t *turn) checkCode(ctx context.Context, text string) error {
	if w := fold(text); w == "kirimulang" || w == "resend" {
		if t.st.Phone == "" {
			t.mainMenu()
			return nil
		}
		return t.sendCode(ctx, t.st.Phone)
	}
	if !looksLikeCode(text) {
		return t.miss(ctx, txtCodeShape)
	}
	code := strings.Join(strings.Fields(text), "")
	t.st.Misses = 0
	got, err := t.otp.Verify(ctx, t.waID, code, t.now)
	if err != nil {
		return err
	}
	switch got.Verdict {
	case CodeVerified:
		t.st.Verified, t.st.Phone = got.Phone, ""
		t.ask(stepServices, txtServices)
	case CodeWrong:
		t.say(txtCodeWrong(got.Left) + t.expiryNote())
	case CodeFailed:
		t.say(txtCodeFailed)
		t.mainMenu()
	case CodeExpired:
		t.say(txtCodeExpired + t.expiryNote())
	default:
		t.say(txtNoCode + t.expiryNote())
	}
	return nil
}
