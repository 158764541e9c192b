package certificate_test

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/certificate"
)

func TestTokenRoundTripAndForgeries(t *testing.T) {
	key, other := certificate.GenerateKey(), certificate.GenerateKey()
	c := certificate.Claims{Version: 1, ID: "0123456789abcdef", NameMasked: "Si** Am****", IssuedAt: 1764752400,
		Doses: []certificate.DoseClaim{{Dose: 1, Date: "2021-08-02", Vaccine: "Sinovac", Place: "Puskesmas Cibinong"}}}
	token := key.Sign(c)
	got, err := certificate.Verify(key.Public(), token)
	if err != nil || got.ID != c.ID || got.NameMasked != c.NameMasked || len(got.Doses) != 1 || got.Doses[0] != c.Doses[0] {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	payload, sig, _ := strings.Cut(token, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	// The same signature over a name someone changed.
	altered := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "Si**", "Bu**", 1))) + "." + sig
	unsigned := certificate.Claims{Version: 2, ID: "x"}
	for name, bad := range map[string]string{
		"altered":          altered,
		"other key":        other.Sign(c),
		"no signature":     payload,
		"empty":            "",
		"garbage":          "bukan.token",
		"truncated sig":    token[:len(token)-4],
		"too long":         strings.Repeat("a", certificate.MaxToken+1),
		"unknown version":  key.Sign(unsigned),
		"signature padded": token + "==",
	} {
		if _, err := certificate.Verify(key.Public(), bad); !errors.Is(err, certificate.ErrInvalid) {
			t.Errorf("%s: Verify = %v, want ErrInvalid", name, err)
		}
	}
}

func TestParseAndLoadKey(t *testing.T) {
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(i)
	}
	want, _ := certificate.NewKey(seed)
	for _, s := range []string{base64.StdEncoding.EncodeToString(seed), base64.RawURLEncoding.EncodeToString(seed) + "\n"} {
		k, err := certificate.ParseKey(s)
		if err != nil || !k.Public().Equal(want.Public()) {
			t.Errorf("ParseKey(%q) = %v", s, err)
		}
	}
	if _, err := certificate.ParseKey(base64.StdEncoding.EncodeToString(seed[:16])); err == nil {
		t.Error("a 16-byte seed was taken")
	}
	file := filepath.Join(t.TempDir(), "cert-key")
	if err := os.WriteFile(file, []byte(base64.StdEncoding.EncodeToString(seed)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, ok, err := certificate.LoadKey("", file)
	if err != nil || !ok || !k.Public().Equal(want.Public()) {
		t.Errorf("LoadKey(file) = %v, %v", ok, err)
	}
	if _, ok, err := certificate.LoadKey("", ""); ok || err != nil {
		t.Errorf("LoadKey with nothing set = %v, %v", ok, err)
	}
	if _, _, err := certificate.LoadKey("", filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing key file was not reported")
	}
}
