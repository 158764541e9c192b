package app

import (
	"testing"
)

// make run loads scripts/demo/aduan.yaml: it must load, point at the local
// mail system of scripts/provision.sh mail, and leave every other setting
// at its default.
func TestDemoConfig(t *testing.T) {
	cfg, err := LoadConfig("../../scripts/demo/aduan.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatalf("make run's config: %v", err)
	}
	if cfg.IMAP.Addr != "127.0.0.1:1143" || cfg.IMAP.TLS != "none" || cfg.IMAP.User != "demo@kemkes.test" {
		t.Errorf("imap = %s %s %s, want the local Dovecot's demo mailbox", cfg.IMAP.Addr, cfg.IMAP.TLS, cfg.IMAP.User)
	}
	if cfg.SMTP.Addr != "127.0.0.1:2525" || cfg.SMTP.TLS != "none" {
		t.Errorf("smtp = %s %s, want the local Postfix", cfg.SMTP.Addr, cfg.SMTP.TLS)
	}
	if cfg.SMTP.AckPerSenderPerHour <= DefaultConfig().SMTP.AckPerSenderPerHour {
		t.Errorf("ack limit %d: a newcomer repeating the demo would soon get no answer", cfg.SMTP.AckPerSenderPerHour)
	}
	want := DefaultConfig()
	want.IMAP.IMAPAccount, want.SMTP = cfg.IMAP.IMAPAccount, cfg.SMTP
	if got, def := cfg.String(), want.String(); got != def {
		t.Errorf("the demo config changes more than its mail settings:\n%s\nwant\n%s", got, def)
	}
}
