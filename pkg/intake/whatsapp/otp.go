package whatsapp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// OTPStore keeps one-time code challenges and counts attempts.
type OTPStore interface {
	AddOTPChallenge(ctx context.Context, c store.OTPChallenge) error
	OpenOTPChallenge(ctx context.Context, waID string) (store.OTPChallenge, error)
	SetOTPChallenge(ctx context.Context, id string, failures int, state string) error
	AddOTPAttempt(ctx context.Context, kind, phone, waID string, at time.Time) error
	OTPAttempts(ctx context.Context, kind, phone, waID string, since time.Time) (byPhone, byWaID int, err error)
}

// OTPLimits bound how codes are sent and tried, per registered number
// and per WhatsApp sender alike.
type OTPLimits struct {
	TTL            time.Duration // a code's life; default 5 minutes
	MaxFailures    int           // wrong codes that end a challenge; default 5
	Window         time.Duration // the short window; default 15 minutes
	SendsPerWindow int           // codes sent in Window; default 3
	SendsPerDay    int           // codes sent in 24 hours; default 10
	FailuresPerDay int           // wrong codes in 24 hours before no more are sent; default 10
}

func (l OTPLimits) withDefaults() OTPLimits {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defN := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	def(&l.TTL, 5*time.Minute)
	def(&l.Window, 15*time.Minute)
	defN(&l.MaxFailures, 5)
	defN(&l.SendsPerWindow, 3)
	defN(&l.SendsPerDay, 10)
	defN(&l.FailuresPerDay, 10)
	return l
}

// OTP issues and checks the one-time codes that prove a WhatsApp sender
// holds the phone number registered in the app. A code is kept only as an
// HMAC keyed with the server's secret and bound to its challenge, so a
// copy of the database does not give codes away.
type OTP struct {
	secret []byte
	store  OTPStore
	limits OTPLimits
}

// MinOTPSecret is the shortest secret NewOTP accepts, in bytes.
const MinOTPSecret = 32

// NewOTP returns codes keyed with secret (at least MinOTPSecret bytes).
func NewOTP(secret []byte, s OTPStore, limits OTPLimits) (*OTP, error) {
	if len(secret) < MinOTPSecret {
		return nil, fmt.Errorf("whatsapp: OTP secret of %d bytes, at least %d", len(secret), MinOTPSecret)
	}
	return &OTP{secret: append([]byte(nil), secret...), store: s, limits: limits.withDefaults()}, nil
}

// Issued is what Issue did. When Limited, nothing was stored or sent and
// RetryAt says when to try again. Otherwise Challenge is stored and, when
// the number is registered, code is what to send; it lives only here.
type Issued struct {
	Limited   bool
	RetryAt   time.Time
	Challenge store.OTPChallenge
	code      string
}

// Issue starts a challenge for phone on waID's request, within the
// limits. registered says whether the number is in the registry: a number
// that is not gets a challenge too (no code is sent, none can pass), so
// everything the person sees and every limit is the same either way. A
// new challenge starts with the wrong codes of the window already
// counted, so asking for another code never buys more guesses.
func (o *OTP) Issue(ctx context.Context, waID, phone string, registered bool, now time.Time) (Issued, error) {
	l := o.limits
	type check struct {
		kind  string
		since time.Duration
		max   int
	}
	counts := map[check]int{}
	for _, c := range []check{
		{store.OTPAttemptFailure, l.Window, l.MaxFailures},
		{store.OTPAttemptSend, l.Window, l.SendsPerWindow},
		{store.OTPAttemptSend, 24 * time.Hour, l.SendsPerDay},
		{store.OTPAttemptFailure, 24 * time.Hour, l.FailuresPerDay},
	} {
		byPhone, byWaID, err := o.store.OTPAttempts(ctx, c.kind, phone, waID, now.Add(-c.since))
		if err != nil {
			return Issued{}, err
		}
		n := max(byPhone, byWaID)
		if n >= c.max {
			return Issued{Limited: true, RetryAt: now.Add(c.since)}, nil
		}
		counts[c] = n
	}
	id, err := randomID()
	if err != nil {
		return Issued{}, err
	}
	code, err := newCode()
	if err != nil {
		return Issued{}, err
	}
	ch := store.OTPChallenge{ID: id, WaID: waID, Phone: phone, Registered: registered, MAC: o.mac(id, code),
		Failures: counts[check{store.OTPAttemptFailure, l.Window, l.MaxFailures}], State: store.OTPOpen,
		CreatedAt: now, ExpiresAt: now.Add(l.TTL)}
	if err := o.store.AddOTPChallenge(ctx, ch); err != nil {
		return Issued{}, err
	}
	if err := o.store.AddOTPAttempt(ctx, store.OTPAttemptSend, phone, waID, now); err != nil {
		return Issued{}, err
	}
	return Issued{Challenge: ch, code: code}, nil
}

// Verdict is the outcome of a typed code.
type Verdict int

// The outcomes of Verify.
const (
	CodeNone     Verdict = iota // no open challenge
	CodeExpired                 // the challenge's code is too old
	CodeWrong                   // wrong; Left more tries
	CodeFailed                  // wrong, and the challenge is over
	CodeVerified                // right: Phone is proven
)

// Checked is what Verify found.
type Checked struct {
	Verdict Verdict
	Phone   string // the proven number, when CodeVerified
	Left    int    // tries left, when CodeWrong
}

// Verify checks code against waID's open challenge, in constant time. A
// right code is used up; a wrong one is counted on the challenge and for
// the number and the sender. Call it inside the transaction that answers.
func (o *OTP) Verify(ctx context.Context, waID, code string, now time.Time) (Checked, error) {
	ch, err := o.store.OpenOTPChallenge(ctx, waID)
	if ticket.ErrorCode(err) == ticket.ENOTFOUND {
		return Checked{Verdict: CodeNone}, nil
	} else if err != nil {
		return Checked{}, err
	}
	if !now.Before(ch.ExpiresAt) {
		return Checked{Verdict: CodeExpired}, nil
	}
	match := hmac.Equal(o.mac(ch.ID, code), ch.MAC)
	if match && ch.Registered {
		if err := o.store.SetOTPChallenge(ctx, ch.ID, ch.Failures, store.OTPVerified); err != nil {
			return Checked{}, err
		}
		return Checked{Verdict: CodeVerified, Phone: ch.Phone}, nil
	}
	ch.Failures++
	state := store.OTPOpen
	if ch.Failures >= o.limits.MaxFailures {
		state = store.OTPFailed
	}
	if err := o.store.SetOTPChallenge(ctx, ch.ID, ch.Failures, state); err != nil {
		return Checked{}, err
	}
	if err := o.store.AddOTPAttempt(ctx, store.OTPAttemptFailure, ch.Phone, waID, now); err != nil {
		return Checked{}, err
	}
	if state == store.OTPFailed {
		return Checked{Verdict: CodeFailed}, nil
	}
	return Checked{Verdict: CodeWrong, Left: o.limits.MaxFailures - ch.Failures}, nil
}

// mac binds code to its challenge: the same code in another challenge
// has another MAC.
func (o *OTP) mac(challengeID, code string) []byte {
	m := hmac.New(sha256.New, o.secret)
	m.Write([]byte("aduan-otp-v1\x00" + challengeID + "\x00" + code))
	return m.Sum(nil)
}

// newCode is six digits, uniform, from crypto/rand.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("otp code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", errors.Join(errors.New("otp challenge id"), err)
	}
	return hex.EncodeToString(b), nil
}
