package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aduan/aduan/pkg/ticket"
)

// DefaultOTPTemplate is the AUTHENTICATION template codes go out with.
const DefaultOTPTemplate = "aduan_otp"

// waErrInvalidUser is the Graph API's answer for a number that has no
// WhatsApp account.
const waErrInvalidUser = 1013

// WhatsAppOTP is an OTPSender: the AUTHENTICATION template (the code its
// first body parameter and its copy-code button's) to the registered
// number, and an SMS where WhatsApp cannot deliver it. It sends at once,
// not through the queue: the person is waiting for the code.
type WhatsAppOTP struct {
	API      WhatsAppAPI
	SMS      SMSGateway // nil: no fallback, the WhatsApp error is returned
	Template string     // default DefaultOTPTemplate
	Language string     // default "id"
	Log      *slog.Logger
}

// SendOTP sends code to phone and returns the channel it went through.
// Neither the code nor the message carrying it is logged or stored.
func (o *WhatsAppOTP) SendOTP(ctx context.Context, phoneNumberID, phone, code string) (string, error) {
	e164, err := ticket.NormalizePhone(phone)
	if err != nil {
		return "", fmt.Errorf("otp: %w", err)
	}
	name, lang := o.Template, o.Language
	if name == "" {
		name = DefaultOTPTemplate
	}
	if lang == "" {
		lang = "id"
	}
	_, err = o.API.Send(ctx, phoneNumberID, WAMessage{To: strings.TrimPrefix(e164, "+"),
		Template: &WATemplate{Name: name, Language: lang, BodyParams: []string{code}, ButtonParam: code}})
	if err == nil {
		return "whatsapp", nil
	}
	if c := WACode(err); c != WAErrUndeliverable && c != waErrInvalidUser || o.SMS == nil {
		return "", err
	}
	if o.Log != nil {
		o.Log.InfoContext(ctx, "otp goes by sms: whatsapp cannot deliver it", "whatsapp_code", WACode(err))
	}
	text := fmt.Sprintf("Kode verifikasi Aduan Anda: %s. Berlaku 5 menit. Jangan berikan kode ini kepada siapa pun.", code)
	if serr := o.SMS.SendSMS(ctx, e164, text); serr != nil {
		return "", errors.Join(err, fmt.Errorf("otp by sms: %w", serr))
	}
	return "sms", nil
}
