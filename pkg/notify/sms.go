package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// SMSHTTP is an SMSGateway over a simple JSON contract, so any provider
// can sit behind a small adapter:
//
//	POST {ADUAN_SMS_URL}/messages
//	Authorization: Bearer {token}          (when a token is configured)
//	{"to":"+6281234567890","text":"…"}
//	→ 2xx {"id":"…"}                       (sent or accepted; id optional)
//	→ 4xx: refused for good (a bad number) · 5xx or no answer: try again
type SMSHTTP struct {
	base  string
	token string
	http  *http.Client
}

// NewSMSHTTP returns the gateway at baseURL, sending token as a bearer
// when it is not empty.
func NewSMSHTTP(baseURL, token string, client *http.Client) *SMSHTTP {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	return &SMSHTTP{base: strings.TrimRight(baseURL, "/"), token: token, http: client}
}

// SendSMS sends text to phone (E.164). A 4xx answer wraps ErrPermanent.
// The text is never logged: it may carry a code.
func (g *SMSHTTP) SendSMS(ctx context.Context, phone, text string) error {
	body, err := json.Marshal(map[string]string{"to": phone, "text": text})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.base+"/messages", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if g.token != "" {
		req.Header.Set("Authorization", "Bearer "+g.token)
	}
	res, err := g.http.Do(req)
	if err != nil {
		return fmt.Errorf("sms gateway: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	switch {
	case res.StatusCode/100 == 2:
		return nil
	case res.StatusCode/100 == 4:
		return fmt.Errorf("sms gateway: HTTP %d: %w", res.StatusCode, ErrPermanent)
	}
	return fmt.Errorf("sms gateway: HTTP %d", res.StatusCode)
}
