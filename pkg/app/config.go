// Package app is Aduan's composition root: it reads the configuration and
// builds the store, the API, the intake and the workers from it.
package app

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/internal/tlsmode"
	"github.com/aduan/aduan/pkg/retention"
)

// Config is all of Aduan's configuration. Defaults are set by
// DefaultConfig; an optional YAML file overrides them, and the environment
// overrides the file.
type Config struct {
	DatabaseURL string `yaml:"database_url"`
	RedisURL    string `yaml:"redis_url"`
	HTTPAddr    string `yaml:"http_addr"`
	DataDir     string `yaml:"data_dir"`
	LogLevel    string `yaml:"log_level"` // debug, info, warn, error
	// TokenTTL is how long a login lasts.
	TokenTTL time.Duration `yaml:"token_ttl"`
	// MaxDBConns caps PostgreSQL connections of one process.
	MaxDBConns int `yaml:"max_db_conns"`
	// Blob is where attachments and raw mail live: the data directory
	// unless Blob.URL names an S3 bucket (ADUAN_BLOB_URL).
	Blob blob.Config `yaml:"blob"`
	// Files that replace the built-in rules (configs/*.yaml); empty keeps
	// the built-in ones.
	CategoriesFile string `yaml:"categories_file"`
	RoutingFile    string `yaml:"routing_file"`
	SLAFile        string `yaml:"sla_file"`
	// WorkerConcurrency is how many tasks one worker process runs at once.
	WorkerConcurrency int `yaml:"worker_concurrency"`
	// TrustedProxies are the load balancers in front of Aduan (addresses or
	// CIDR ranges). Only their X-Forwarded-For and X-Forwarded-Proto are
	// believed: the client address that logins are throttled under, and
	// whether the client used TLS. Empty: the peer is the client.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// SecureCookies marks the session cookie Secure on every response, for
	// a TLS-terminating proxy that sends no X-Forwarded-Proto.
	SecureCookies bool `yaml:"secure_cookies"`
	// LoginHashing bounds the password hashes (argon2id, 19 MiB each) one
	// API process computes at once; 0: two per CPU.
	LoginHashing int `yaml:"login_hashing"`
	// OutboxRelayAgain is how long after it was handed to Redis an
	// unfinished outbox row is handed over again, in case Redis lost it.
	OutboxRelayAgain time.Duration `yaml:"outbox_relay_again"`

	IMAP      IMAPConfig      `yaml:"imap"`
	SMTP      SMTPConfig      `yaml:"smtp"`
	Retention RetentionConfig `yaml:"retention"`
	WhatsApp  WhatsAppConfig  `yaml:"whatsapp"`

	// PublicURL is the base of the links people receive, e.g. a
	// certificate's check page; empty: http:// and HTTPAddr.
	PublicURL    string            `yaml:"public_url"`
	Certificates CertificateConfig `yaml:"certificates"`
}

// CertificateConfig holds the Ed25519 key vaccination certificates are
// signed with: the base64 of its 32-byte seed, or a file holding that.
// Neither set: a key is made at start and its certificates stop checking
// as genuine when the process ends (the demo and the tests only).
type CertificateConfig struct {
	Key     string `yaml:"key"`
	KeyFile string `yaml:"key_file"`
}

// WhatsAppConfig connects a WhatsApp Business number (Meta Cloud API).
// Without AppSecret the webhook refuses every POST; without VerifyToken
// it refuses Meta's subscription handshake.
type WhatsAppConfig struct {
	// AppSecret is the Meta app's secret, the key of X-Hub-Signature-256.
	AppSecret string `yaml:"app_secret"`
	// VerifyToken is the token entered in Meta's webhook settings.
	VerifyToken string `yaml:"verify_token"`
	// PhoneNumberID is the Cloud API id of the number Aduan answers on.
	PhoneNumberID string `yaml:"phone_number_id"`
	// OTPSecret keys the HMAC under which the bot keeps its one-time
	// codes (ADUAN_OTP_SECRET, at least 32 bytes); the bot does not start
	// without it.
	OTPSecret string `yaml:"otp_secret"`
	// PhoneNumberIDs are further numbers Aduan answers on (a YAML list);
	// a webhook for any other number is kept and logged, not processed.
	PhoneNumberIDs NumberList `yaml:"phone_number_ids"`
	// AccessToken is the Cloud API's bearer token (a system user's).
	AccessToken string `yaml:"access_token"`
	// GraphURL is the Graph API's base; default notify.DefaultGraphURL.
	GraphURL string `yaml:"graph_url"`
	// OTPTemplate is the AUTHENTICATION template of one-time codes;
	// default notify.DefaultOTPTemplate.
	OTPTemplate string `yaml:"otp_template"`
	// ReplyTemplate is the UTILITY template of agents' replies outside the
	// 24-hour window ({{1}} the ticket number, {{2}} the reply).
	ReplyTemplate string `yaml:"reply_template"`
	// Throughput is the numbers' messages a second; default 80.
	Throughput int `yaml:"throughput"`
	// SMSURL and SMSToken reach the SMS gateway codes fall back to.
	SMSURL   string `yaml:"sms_url"`
	SMSToken string `yaml:"sms_token"`
}

// RetentionConfig says how long finished tickets keep their personal data.
type RetentionConfig struct {
	// Period after a ticket's resolution or closing before it is purged:
	// "12mo", "1y", "720h", or "off" (also "0") to keep everything.
	Period string `yaml:"period"`
	// BatchSize is how many tickets one purge transaction takes.
	BatchSize int `yaml:"batch_size"`
}

// IMAPConfig says where complaint mail is read from: the primary account
// (from the environment or the file) and any further accounts, such as
// the legacy sertifikat@ mailbox.
type IMAPConfig struct {
	IMAPAccount  `yaml:",inline"`
	Accounts     []IMAPAccount `yaml:"accounts"`
	PollInterval time.Duration `yaml:"poll_interval"`
	// Processed and Quarantine are the folders handled and broken mail
	// move to; an empty Processed leaves handled mail in place, \Seen.
	Processed  string `yaml:"processed_folder"`
	Quarantine string `yaml:"quarantine_folder"`
	// MaxAttachment and MaxMail bound what one mail may bring in.
	MaxAttachment int64 `yaml:"max_attachment_bytes"`
	MaxMail       int64 `yaml:"max_mail_bytes"`
}

// IMAPAccount is one mailbox login and the folders read there.
type IMAPAccount struct {
	Addr      string   `yaml:"addr"`
	User      string   `yaml:"user"`
	Password  string   `yaml:"password"`
	TLS       string   `yaml:"tls"` // none, starttls, tls
	Mailboxes []string `yaml:"mailboxes"`
}

// AllAccounts returns the accounts to read: the primary one when it has an
// address, then the others.
func (c IMAPConfig) AllAccounts() []IMAPAccount {
	var out []IMAPAccount
	if c.Addr != "" {
		out = append(out, c.IMAPAccount)
	}
	return append(out, c.Accounts...)
}

// SMTPConfig says how acknowledgements and replies are sent.
type SMTPConfig struct {
	Addr     string `yaml:"addr"`
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	TLS      string `yaml:"tls"` // none, starttls, tls
	From     string `yaml:"from"`
	// AckPerSenderPerHour caps acknowledgements to one address, so a
	// misbehaving robot cannot make us a mail cannon.
	AckPerSenderPerHour int `yaml:"ack_per_sender_per_hour"`
	// AnswerWait is how long the answer to a complainant's mail waits for
	// the checks of its photos; 0 means notify.DefaultAnswerWait.
	AnswerWait time.Duration `yaml:"answer_wait"`
}

// RetentionSettings returns the purge's settings.
func (c Config) RetentionSettings() retention.Settings {
	period, _ := retention.ParsePeriod(c.Retention.Period) // checked by Validate
	return retention.Settings{Period: period, BatchSize: c.Retention.BatchSize}
}

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		DatabaseURL:       "postgres://postgres@127.0.0.1:5432/aduan?sslmode=disable",
		RedisURL:          "redis://127.0.0.1:6379/0",
		HTTPAddr:          "127.0.0.1:8080",
		DataDir:           "./data",
		LogLevel:          "info",
		TokenTTL:          12 * time.Hour,
		MaxDBConns:        20,
		WorkerConcurrency: 10,
		OutboxRelayAgain:  10 * time.Minute,
		IMAP: IMAPConfig{IMAPAccount: IMAPAccount{TLS: tlsmode.TLS, Mailboxes: []string{"INBOX"}},
			PollInterval: 30 * time.Second, Processed: "Processed", Quarantine: "Quarantine",
			MaxAttachment: 10 << 20, MaxMail: 25 << 20},
		SMTP:      SMTPConfig{TLS: tlsmode.StartTLS, From: "PeduliLindungi <pedulilindungi@kemkes.go.id>", AckPerSenderPerHour: 5},
		Retention: RetentionConfig{Period: retention.DefaultPeriod.String(), BatchSize: retention.DefaultBatchSize},
	}
}

// LoadConfig builds the configuration from the defaults, the YAML file at
// path (skipped when path is empty) and then the environment.
func LoadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("read config: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	}
	str := func(dst *string, key string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	str(&cfg.DatabaseURL, "DATABASE_URL")
	str(&cfg.RedisURL, "REDIS_URL")
	str(&cfg.HTTPAddr, "ADUAN_HTTP_ADDR")
	str(&cfg.DataDir, "ADUAN_DATA_DIR")
	str(&cfg.Blob.URL, "ADUAN_BLOB_URL")
	str(&cfg.Blob.AccessKey, "AWS_ACCESS_KEY_ID")
	str(&cfg.Blob.SecretKey, "AWS_SECRET_ACCESS_KEY")
	str(&cfg.Blob.AccessKey, "ADUAN_S3_ACCESS_KEY")
	str(&cfg.Blob.SecretKey, "ADUAN_S3_SECRET_KEY")
	str(&cfg.LogLevel, "ADUAN_LOG_LEVEL")
	str(&cfg.CategoriesFile, "ADUAN_CATEGORIES_FILE")
	str(&cfg.RoutingFile, "ADUAN_ROUTING_FILE")
	str(&cfg.SLAFile, "ADUAN_SLA_FILE")
	str(&cfg.IMAP.Addr, "ADUAN_IMAP_ADDR")
	str(&cfg.IMAP.User, "ADUAN_IMAP_USER")
	str(&cfg.IMAP.Password, "ADUAN_IMAP_PASSWORD")
	str(&cfg.IMAP.TLS, "ADUAN_IMAP_TLS")
	str(&cfg.SMTP.Addr, "ADUAN_SMTP_ADDR")
	str(&cfg.SMTP.User, "ADUAN_SMTP_USER")
	str(&cfg.SMTP.Password, "ADUAN_SMTP_PASSWORD")
	str(&cfg.SMTP.TLS, "ADUAN_SMTP_TLS")
	str(&cfg.SMTP.From, "ADUAN_MAIL_FROM")
	if v := getenv("ADUAN_TRUSTED_PROXIES"); v != "" {
		cfg.TrustedProxies = nil
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				cfg.TrustedProxies = append(cfg.TrustedProxies, p)
			}
		}
	}
	if v := getenv("ADUAN_SECURE_COOKIES"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return cfg, fmt.Errorf("ADUAN_SECURE_COOKIES: %w", err)
		}
		cfg.SecureCookies = b
	}
	str(&cfg.Retention.Period, "ADUAN_RETENTION_PERIOD")
	str(&cfg.WhatsApp.AppSecret, "ADUAN_WA_APP_SECRET")
	str(&cfg.WhatsApp.VerifyToken, "ADUAN_WA_VERIFY_TOKEN")
	str(&cfg.WhatsApp.PhoneNumberID, "ADUAN_WA_PHONE_NUMBER_ID")
	str(&cfg.PublicURL, "ADUAN_PUBLIC_URL")
	str(&cfg.Certificates.Key, "ADUAN_CERT_KEY")
	str(&cfg.Certificates.KeyFile, "ADUAN_CERT_KEY_FILE")
	str(&cfg.WhatsApp.OTPSecret, "ADUAN_OTP_SECRET")
	str(&cfg.WhatsApp.AccessToken, "ADUAN_WA_ACCESS_TOKEN")
	str(&cfg.WhatsApp.GraphURL, "ADUAN_WA_GRAPH_URL")
	str(&cfg.WhatsApp.OTPTemplate, "ADUAN_WA_OTP_TEMPLATE")
	str(&cfg.WhatsApp.ReplyTemplate, "ADUAN_WA_REPLY_TEMPLATE")
	str(&cfg.WhatsApp.SMSURL, "ADUAN_SMS_URL")
	str(&cfg.WhatsApp.SMSToken, "ADUAN_SMS_TOKEN")
	if v := getenv("ADUAN_IMAP_POLL_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return cfg, fmt.Errorf("ADUAN_IMAP_POLL_INTERVAL: %w", err)
		}
		cfg.IMAP.PollInterval = d
	}
	return cfg, cfg.Validate()
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	checks := []struct{ name, v string }{{"imap.tls", c.IMAP.TLS}, {"smtp.tls", c.SMTP.TLS}}
	for i, a := range c.IMAP.Accounts {
		checks = append(checks, struct{ name, v string }{fmt.Sprintf("imap.accounts[%d].tls", i), a.TLS})
		if a.Addr == "" || a.User == "" || len(a.Mailboxes) == 0 {
			return fmt.Errorf("imap.accounts[%d] needs addr, user and mailboxes", i)
		}
	}
	for _, tls := range checks {
		if !tlsmode.Valid(tls.v) {
			return fmt.Errorf("%s must be %s, %s or %s, not %q", tls.name, tlsmode.None, tlsmode.StartTLS, tlsmode.TLS,
				tls.v)
		}
	}
	if c.IMAP.MaxAttachment <= 0 || c.IMAP.MaxMail < c.IMAP.MaxAttachment {
		return fmt.Errorf("imap.max_attachment_bytes must be positive and no more than imap.max_mail_bytes")
	}
	if c.TokenTTL <= 0 {
		return fmt.Errorf("token_ttl must be positive")
	}
	if err := httpapi.ValidProxies(c.TrustedProxies); err != nil {
		return fmt.Errorf("trusted_proxies: %w", err)
	}
	if c.LoginHashing < 0 {
		return fmt.Errorf("login_hashing must not be negative")
	}
	if c.IMAP.PollInterval <= 0 {
		return fmt.Errorf("imap.poll_interval must be positive")
	}
	if c.OutboxRelayAgain <= 0 {
		return fmt.Errorf("outbox_relay_again must be positive")
	}
	if _, err := retention.ParsePeriod(c.Retention.Period); err != nil {
		return fmt.Errorf("retention.period: %w", err)
	}
	if c.Retention.BatchSize <= 0 || c.Retention.BatchSize > 10000 {
		return fmt.Errorf("retention.batch_size must be between 1 and 10000")
	}
	return nil
}

// String renders the configuration as YAML with every secret masked.
func (c Config) String() string {
	c.DatabaseURL = maskURL(c.DatabaseURL)
	c.RedisURL = maskURL(c.RedisURL)
	c.IMAP.Password = maskSecret(c.IMAP.Password)
	c.IMAP.Accounts = append([]IMAPAccount(nil), c.IMAP.Accounts...)
	for i := range c.IMAP.Accounts {
		c.IMAP.Accounts[i].Password = maskSecret(c.IMAP.Accounts[i].Password)
	}
	c.SMTP.Password = maskSecret(c.SMTP.Password)
	c.Certificates.Key = maskSecret(c.Certificates.Key)
	c.WhatsApp.AppSecret = maskSecret(c.WhatsApp.AppSecret)
	c.WhatsApp.OTPSecret = maskSecret(c.WhatsApp.OTPSecret)
	c.WhatsApp.VerifyToken = maskSecret(c.WhatsApp.VerifyToken)
	c.WhatsApp.AccessToken = maskSecret(c.WhatsApp.AccessToken)
	c.WhatsApp.SMSToken = maskSecret(c.WhatsApp.SMSToken)
	c.Blob.SecretKey = maskSecret(c.Blob.SecretKey)
	b, err := yaml.Marshal(c)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	return "******"
}

func maskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "******")
	}
	return u.String()
}
