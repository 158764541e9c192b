package app

import (
	"fmt"

	"github.com/aduan/aduan/pkg/intake/whatsapp"
	"github.com/aduan/aduan/pkg/registry"
)

// whatsAppBot makes the self-service bot the conversation of inbound
// WhatsApp messages, when a business number is configured. The bot keeps
// its one-time codes under ADUAN_OTP_SECRET, so a number without that
// secret is a configuration error rather than a bot that cannot verify
// anyone.
func (a *App) whatsAppBot() error {
	cfg := a.Config.WhatsApp
	if len(cfg.Numbers()) == 0 {
		return nil
	}
	if cfg.OTPSecret == "" {
		return fmt.Errorf("whatsapp: ADUAN_OTP_SECRET is required when a WhatsApp number is configured (at least %d bytes)", whatsapp.MinOTPSecret)
	}
	bot, err := whatsapp.NewBot(whatsapp.BotConfig{OTPSecret: []byte(cfg.OTPSecret)}, whatsapp.BotDeps{
		Store: a.Store, Queue: a.WhatsAppQueue(), OTPSender: a.OTPSender(), Registry: registry.NewPostgres(a.Store),
		Certificates: a.Certificates, Media: a.WhatsAppAPI(), Tickets: a.Ingester, Log: a.Log,
	})
	if err != nil {
		return fmt.Errorf("whatsapp bot: %w", err)
	}
	a.Conversation = bot
	return nil
}
