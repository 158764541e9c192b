package app

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLoadConfigLayers(t *testing.T) {
	file := filepath.Join(t.TempDir(), "aduan.yaml")
	err := os.WriteFile(file, []byte("http_addr: 127.0.0.1:9000\ntoken_ttl: 2h\nimap:\n  user: file-user\n  tls: starttls\n"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ADUAN_IMAP_USER": "env-user", "ADUAN_IMAP_POLL_INTERVAL": "45s"}
	cfg, err := LoadConfig(file, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "127.0.0.1:9000" || cfg.TokenTTL != 2*time.Hour {
		t.Errorf("file values not applied: %s %s", cfg.HTTPAddr, cfg.TokenTTL)
	}
	if cfg.IMAP.User != "env-user" || cfg.IMAP.TLS != "starttls" || cfg.IMAP.PollInterval != 45*time.Second {
		t.Errorf("environment should override the file: %+v", cfg.IMAP)
	}
	if cfg.DataDir != "./data" {
		t.Errorf("default lost: data dir %q", cfg.DataDir)
	}
	if r := cfg.RetentionSettings(); r.Period.String() != "12mo" || r.BatchSize != 500 {
		t.Errorf("retention defaults: %+v, want 12 months, batches of 500", r)
	}
	cfg, err = LoadConfig(file, func(k string) string { return map[string]string{"ADUAN_RETENTION_PERIOD": "off"}[k] })
	if err != nil || !cfg.RetentionSettings().Period.Off() {
		t.Errorf("ADUAN_RETENTION_PERIOD=off: %+v, %v", cfg.Retention, err)
	}
}

func TestLoadConfigProxies(t *testing.T) {
	env := map[string]string{"ADUAN_TRUSTED_PROXIES": " 10.0.0.1, 192.168.0.0/16,,", "ADUAN_SECURE_COOKIES": "true"}
	cfg, err := LoadConfig("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.TrustedProxies, []string{"10.0.0.1", "192.168.0.0/16"}) || !cfg.SecureCookies {
		t.Errorf("trusted proxies %q, secure cookies %v", cfg.TrustedProxies, cfg.SecureCookies)
	}
	if def := DefaultConfig(); len(def.TrustedProxies) != 0 || def.SecureCookies {
		t.Errorf("by default no proxy is trusted and cookies follow the request: %+v", def)
	}
}

func TestLoadConfigRejects(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		want string
	}{
		{"unknown key", "htp_addr: x\n", nil, "htp_addr"},
		{"bad tls", "", map[string]string{"ADUAN_SMTP_TLS": "ssl"}, "smtp.tls"},
		{"bad interval", "", map[string]string{"ADUAN_IMAP_POLL_INTERVAL": "soon"}, "ADUAN_IMAP_POLL_INTERVAL"},
		{"bad proxy", "", map[string]string{"ADUAN_TRUSTED_PROXIES": "10.0.0.1,10.0.0.0/33"}, "trusted_proxies"},
		{"proxy by name", "trusted_proxies: [lb.internal]\n", nil, "trusted_proxies"},
		{"bad secure cookies", "", map[string]string{"ADUAN_SECURE_COOKIES": "maybe"}, "ADUAN_SECURE_COOKIES"},
		{"bad retention period", "", map[string]string{"ADUAN_RETENTION_PERIOD": "forever"}, "retention.period"},
		{"bad retention batch", "retention:\n  batch_size: 0\n", nil, "retention.batch_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = filepath.Join(t.TempDir(), "c.yaml")
				if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := LoadConfig(path, func(k string) string { return tt.env[k] })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want mention of %q", err, tt.want)
			}
		})
	}
}

func TestConfigStringMasksSecrets(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DatabaseURL = "postgres://aduan:db-s3cret@db:5432/aduan"
	cfg.RedisURL = "redis://:redis-s3cret@cache:6379/0"
	cfg.IMAP.Password = "imap-s3cret"
	cfg.SMTP.Password = "smtp-s3cret"
	cfg.Blob.SecretKey = "bucket-s3cret"
	cfg.IMAP.Accounts = []IMAPAccount{{Addr: "legacy:993", User: "sertifikat", Password: "legacy-s3cret", TLS: "tls",
		Mailboxes: []string{"INBOX"}}}
	out := cfg.String()
	if cfg.IMAP.Accounts[0].Password != "legacy-s3cret" {
		t.Errorf("printing the config changed it")
	}
	for _, secret := range []string{"db-s3cret", "redis-s3cret", "imap-s3cret", "smtp-s3cret", "legacy-s3cret", "bucket-s3cret"} {
		if strings.Contains(out, secret) {
			t.Errorf("printed config shows %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "postgres://aduan:") || !strings.Contains(out, "db:5432") {
		t.Errorf("masking should keep the rest of the URL:\n%s", out)
	}
}

func TestLoadConfigWhatsApp(t *testing.T) {
	env := map[string]string{"ADUAN_WA_APP_SECRET": "rahasia-app", "ADUAN_WA_VERIFY_TOKEN": "token-verif",
		"ADUAN_WA_PHONE_NUMBER_ID": "106540352242922"}
	cfg, err := LoadConfig("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := WhatsAppConfig{AppSecret: "rahasia-app", VerifyToken: "token-verif", PhoneNumberID: "106540352242922"}
	if cfg.WhatsApp != want {
		t.Errorf("whatsapp %+v, want %+v", cfg.WhatsApp, want)
	}
	env["ADUAN_OTP_SECRET"] = "otp-s3cret-otp-s3cret-otp-s3cret!"
	cfg, err = LoadConfig("", func(k string) string { return env[k] })
	if err != nil || cfg.WhatsApp.OTPSecret != env["ADUAN_OTP_SECRET"] {
		t.Errorf("otp secret %q, %v", cfg.WhatsApp.OTPSecret, err)
	}
	for _, secret := range []string{"otp-s3cret", "rahasia-app"} {
		if strings.Contains(cfg.String(), secret) {
			t.Errorf("printed config shows %q", secret)
		}
	}
	if (DefaultConfig().WhatsApp != WhatsAppConfig{}) {
		t.Errorf("by default nothing is configured: %+v", DefaultConfig().WhatsApp)
	}
}

// The bucket's keys come from Aduan's own variables, else the standard AWS ones.
func TestLoadConfigBlob(t *testing.T) {
	env := map[string]string{"ADUAN_BLOB_URL": "s3://aduan?endpoint=http://127.0.0.1:7070",
		"AWS_ACCESS_KEY_ID": "aws-key", "AWS_SECRET_ACCESS_KEY": "aws-secret"}
	cfg, err := LoadConfig("", func(k string) string { return env[k] })
	if err != nil || cfg.Blob.URL != env["ADUAN_BLOB_URL"] || cfg.Blob.AccessKey != "aws-key" || cfg.Blob.SecretKey != "aws-secret" {
		t.Fatalf("blob config = %+v, %v", cfg.Blob, err)
	}
	env["ADUAN_S3_ACCESS_KEY"], env["ADUAN_S3_SECRET_KEY"] = "aduan-key", "aduan-secret"
	if cfg, err = LoadConfig("", func(k string) string { return env[k] }); err != nil ||
		cfg.Blob.AccessKey != "aduan-key" || cfg.Blob.SecretKey != "aduan-secret" {
		t.Fatalf("blob config = %+v, %v; want Aduan's own keys first", cfg.Blob, err)
	}
}
