package app

import (
	"log/slog"
	"strings"

	"github.com/aduan/aduan/pkg/certificate"
)

// newCertificates builds the certificate issuer from the configured key,
// or from a key made now when none is configured: a demo then works out of
// the box, and the warning says why its certificates will not check as
// genuine after a restart.
func newCertificates(cfg Config, log *slog.Logger) (*certificate.Issuer, error) {
	key, ok, err := certificate.LoadKey(cfg.Certificates.Key, cfg.Certificates.KeyFile)
	if err != nil {
		return nil, err
	}
	if !ok {
		log.Warn("no certificate key configured (ADUAN_CERT_KEY or ADUAN_CERT_KEY_FILE): certificates are signed " +
			"with a key made now and will not check as genuine after a restart")
		key = certificate.GenerateKey()
	}
	return certificate.NewIssuer(key, PublicURL(cfg)), nil
}

// PublicURL is the base of links people receive: the configured one, or
// Aduan's own address.
func PublicURL(cfg Config) string {
	if cfg.PublicURL != "" {
		return strings.TrimRight(cfg.PublicURL, "/")
	}
	return "http://" + cfg.HTTPAddr
}
