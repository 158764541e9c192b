package app

import (
	"encoding/base64"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/certificate"
	"github.com/aduan/aduan/pkg/registry"
)

func TestCertificateSettings(t *testing.T) {
	seed := base64.StdEncoding.EncodeToString(make([]byte, 32))
	cfg, err := LoadConfig("", func(k string) string {
		return map[string]string{"ADUAN_CERT_KEY": seed, "ADUAN_PUBLIC_URL": "https://aduan.kemkes.example/"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Certificates.Key != seed || PublicURL(cfg) != "https://aduan.kemkes.example" {
		t.Errorf("read %+v, public URL %q", cfg.Certificates, PublicURL(cfg))
	}
	if strings.Contains(cfg.String(), seed) {
		t.Error("the certificate key is printed in clear")
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	person := registry.Person{NIK: "3201014508850001", Name: "Siti Aminah",
		Doses: []registry.Dose{{Dose: 1, Date: time.Date(2021, 8, 2, 0, 0, 0, 0, time.UTC), Vaccine: "Sinovac", Place: "Puskesmas"}}}
	iss, err := newCertificates(cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := iss.Issue(person)
	if err != nil || !strings.HasPrefix(cert.URL, "https://aduan.kemkes.example/v/") {
		t.Fatalf("issue: %v, %q", err, cert.URL)
	}
	// The same seed in a file checks the same certificate: a restart
	// with the configured key keeps certificates genuine.
	file := filepath.Join(t.TempDir(), "cert-key")
	if err := os.WriteFile(file, []byte(seed+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := newCertificates(Config{Certificates: CertificateConfig{KeyFile: file}, HTTPAddr: "127.0.0.1:8080"}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Check(cert.Token); err != nil {
		t.Errorf("the key from the file does not check the certificate: %v", err)
	}
	made, err := newCertificates(Config{HTTPAddr: "127.0.0.1:8080"}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := made.Check(cert.Token); err != certificate.ErrInvalid {
		t.Errorf("a key made at start checks another key's certificate: %v", err)
	}
	if _, err := newCertificates(Config{Certificates: CertificateConfig{Key: "bukan-kunci"}}, quiet); err == nil {
		t.Error("a bad key was taken")
	}
}
