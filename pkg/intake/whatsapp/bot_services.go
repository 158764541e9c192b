package whatsapp

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/registry"
	"github.com/aduan/aduan/pkg/ticket"
)

func isNotFound(err error) bool { return errors.Is(err, registry.ErrNotFound) }

// actor is who changes the registry from this conversation: the
// OTP-verified number.
func (t *turn) actor() registry.Actor {
	return registry.Actor{Kind: registry.ActorWhatsApp, ID: t.st.Verified}
}

// serve answers the chosen service once the name and NIK are typed.
func (t *turn) serve(ctx context.Context) error {
	if t.st.Verified == "" {
		t.say(txtNotVerified)
		t.mainMenu()
		return nil
	}
	if t.st.Service == serviceChange {
		return t.changeInfo(ctx)
	}
	p, err := t.Registry.ByPhone(ctx, t.st.Verified)
	switch {
	case isNotFound(err):
		t.say(txtNoRecord)
		t.ask(stepServices, txtMore)
		return nil
	case err != nil:
		return err
	case p.NIK != t.st.NIK || !sameName(p.Name, t.st.Name):
		// Asked again, and counted: the third time a person sees an agent,
		// and no one probes names and NIKs for long.
		t.conv.Step = stepName
		return t.mismatch(ctx, txtMismatch)
	}
	if t.st.Service == serviceStatus {
		t.say(txtStatus(p))
		t.ask(stepServices, txtMore)
		return nil
	}
	last, ok := p.LastDose()
	if !ok {
		t.ask(stepDoseDate, txtAskDose)
		return nil
	}
	if ready := last.Date.Add(t.cfg.CertificateDelay); t.now.Before(ready) {
		// The certificate of a dose appears 7 to 10 days after it.
		t.say(txtTryLater(ready))
		t.ask(stepServices, txtMore)
		return nil
	}
	return t.sendCertificate(ctx, p)
}

// sendCertificate sends the PDF as a document uploaded as media: never a
// link someone else could open. When it cannot be made or uploaded the
// person is told to try again later rather than the message retried, so
// one failing certificate does not hold up the person's conversation.
func (t *turn) sendCertificate(ctx context.Context, p registry.Person) error {
	cert, err := t.Certificates.Issue(p)
	var mediaID string
	if err == nil {
		mediaID, err = t.Media.Upload(ctx, t.in.PhoneNumberID, cert.Filename(), "application/pdf", cert.PDF)
	}
	if err != nil {
		t.Log.ErrorContext(ctx, "certificate not sent", "err", err)
		t.say(txtCertificateLater)
		t.ask(stepServices, txtMore)
		return nil
	}
	t.queue(notify.WAMessage{Document: &notify.WADocument{MediaID: mediaID, Filename: cert.Filename(),
		Caption: txtCertificateCaption(p.Name)}})
	t.ask(stepServices, txtMore)
	return nil
}

// doseDate handles the date of the last dose when none is on record:
// under the delay, when to try again; past it, a ticket.
func (t *turn) doseDate(ctx context.Context, text string) error {
	if w := fold(text); w == "belum" || w == "tidak" || w == "belumvaksin" {
		t.st.Misses = 0
		t.say(txtNoVaccine)
		t.ask(stepServices, txtMore)
		return nil
	}
	d, ok := parseDate(text)
	if !ok {
		return t.miss(ctx, txtDoseShape)
	}
	t.st.Misses = 0
	if d.After(t.now) {
		t.say(txtDoseFuture + t.expiryNote())
		return nil
	}
	ready := d.Add(t.cfg.CertificateDelay)
	if t.now.Before(ready) {
		t.say(txtTryLater(ready))
		t.ask(stepServices, txtMore)
		return nil
	}
	return t.escalate(ctx, escalation{category: ticket.CategoryCertificateMissing,
		subject:   "Sertifikat vaksin belum terbit (WhatsApp)",
		complaint: "Sertifikat vaksin belum terbit; menurut pelapor dosis terakhir diterima " + date(d) + ".",
		reply:     txtCertificateMissing})
}

// mismatch answers a name or NIK the registry does not bear out and asks
// again; the third in a conversation goes to an agent.
func (t *turn) mismatch(ctx context.Context, why string) error {
	t.st.Mismatches++
	if t.st.Mismatches >= 3 {
		return t.escalate(ctx, escalation{category: ticket.CategoryOther, subject: "Data pelapor tidak cocok dengan registri (WhatsApp)",
			complaint: "Nama atau NIK yang diketik pelapor tiga kali tidak cocok dengan data registri nomor HP terverifikasi."})
	}
	t.say(why)
	t.reprompt()
	return nil
}

// parseDate reads a date as people type it: 15/11/2021, 15-11-2021,
// 15.11.2021, or with a two-digit year.
func parseDate(s string) (time.Time, bool) {
	s = strings.NewReplacer("-", "/", ".", "/", " ", "").Replace(strings.TrimSpace(s))
	for _, layout := range []string{"2/1/2006", "02/01/2006", "2/1/06", "02/01/06"} {
		if d, err := time.ParseInLocation(layout, s, wib); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}

// changeInfo applies Ubah Nama, or moves on to the new number, when the
// NIK is the verified number's record; a NIK registered to someone else
// needs a person.
func (t *turn) changeInfo(ctx context.Context) error {
	p, err := t.Registry.ByNIK(ctx, t.st.NIK)
	switch {
	case isNotFound(err):
		// Counted like a mismatch, so the registry cannot be searched for
		// NIKs one message after another.
		t.conv.Step = stepNIK
		return t.mismatch(ctx, txtNIKUnknown)
	case err != nil:
		return err
	case p.Phone != t.st.Verified:
		return t.escalate(ctx, escalation{category: ticket.CategoryNIKConflict, priority: ticket.PriorityHigh,
			subject:   "NIK terdaftar atas nomor lain (WhatsApp)",
			complaint: "NIK pelapor terdaftar atas nomor HP lain; pelapor ingin " + changeWhat(t.st.Change) + ".",
			reply:     txtNIKConflict, awaitKTP: true})
	}
	if t.st.Change == changePhone {
		t.ask(stepNewPhone, txtAskNewPh)
		return nil
	}
	switch err := t.Registry.ChangeName(ctx, p.NIK, t.st.Name, t.actor()); {
	case ticket.ErrorCode(err) == ticket.EINVALID:
		// A registry with rules of its own for names: asked again.
		t.conv.Step = stepName
		return t.miss(ctx, txtInvalid("Nama", ticket.ErrorMessage(err)))
	case err != nil:
		return err
	}
	t.say(txtNameChanged(t.st.Name))
	t.ask(stepServices, txtMore)
	return nil
}

func changeWhat(change string) string {
	if change == changePhone {
		return "mengubah nomor HP"
	}
	return "mengubah nama"
}

// changePhone registers the new number. The verified number is no longer
// the record's, so the verification ends with it.
func (t *turn) changePhone(ctx context.Context, phone string) error {
	err := t.Registry.ChangePhone(ctx, t.st.NIK, phone, t.actor())
	switch {
	case errors.Is(err, registry.ErrPhoneTaken):
		t.say(txtPhoneTaken)
		t.ask(stepServices, txtMore)
		return nil
	case err != nil:
		return err
	}
	t.reset()
	t.say(txtPhoneChanged(phone))
	return nil
}
