// Package certificate makes the vaccination certificate the WhatsApp bot
// sends: a PDF with the person's name, masked NIK and doses, and a QR code
// whose link opens Aduan's public check page. The link carries a token
// signed with Aduan's Ed25519 key.
//
// The token carries what the check page shows (a certificate id, the
// masked name, the doses, when it was issued) rather than an id looked up
// in the registry: checking needs no table of issued certificates and no
// database at all, only the public key, so the page answers for every
// certificate ever issued, and anyone given the public key can check a
// certificate offline. The price is a longer link (a denser QR code, still
// well within what a phone reads from paper) and that a correction made
// later shows only on a certificate issued after it.
package certificate

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// ErrInvalid says a token is not one Aduan signed: malformed, altered, or
// signed with another key.
var ErrInvalid = errors.New("certificate: token is not genuine")

// MaxToken bounds a token; a real one is a few hundred characters.
const MaxToken = 4096

// Claims is what a certificate's token says, and what the check page
// shows: nothing in it is the clear name or NIK.
type Claims struct {
	Version    int         `json:"v"`
	ID         string      `json:"id"` // 16 hex digits, random
	NameMasked string      `json:"n"`
	Doses      []DoseClaim `json:"d"`
	IssuedAt   int64       `json:"iat"` // Unix seconds
}

// DoseClaim is one dose as a token carries it.
type DoseClaim struct {
	Dose    int    `json:"n"`
	Date    string `json:"t"` // YYYY-MM-DD
	Vaccine string `json:"v"`
	Place   string `json:"p"`
}

// Issued is when the certificate was issued.
func (c Claims) Issued() time.Time { return time.Unix(c.IssuedAt, 0).UTC() }

// Key is Aduan's certificate signing key.
type Key struct{ priv ed25519.PrivateKey }

// NewKey makes a key from a 32-byte Ed25519 seed.
func NewKey(seed []byte) (Key, error) {
	if len(seed) != ed25519.SeedSize {
		return Key{}, fmt.Errorf("certificate key: a seed of %d bytes, not %d", ed25519.SeedSize, len(seed))
	}
	return Key{priv: ed25519.NewKeyFromSeed(seed)}, nil
}

// GenerateKey makes a new random key, for the demo and the tests: its
// certificates stop verifying once it is gone.
func GenerateKey() Key {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		panic(err) // crypto/rand does not fail on the platforms Go supports
	}
	k, _ := NewKey(seed)
	return k
}

// ParseKey reads a key written as the base64 (standard or URL alphabet,
// padded or not) of its 32-byte seed, as ADUAN_CERT_KEY holds it.
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if seed, err := enc.DecodeString(s); err == nil {
			return NewKey(seed)
		}
	}
	return Key{}, errors.New("certificate key: not base64")
}

// LoadKey reads a key from ADUAN_CERT_KEY's value or, when that is empty,
// from the file ADUAN_CERT_KEY_FILE names (holding the same base64 seed).
// Neither set: ok is false and the caller decides.
func LoadKey(value, file string) (k Key, ok bool, err error) {
	if value == "" && file == "" {
		return Key{}, false, nil
	}
	if value == "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return Key{}, false, fmt.Errorf("certificate key: %w", err)
		}
		value = string(b)
	}
	k, err = ParseKey(value)
	return k, err == nil, err
}

// Public is the key that checks tokens; it may be published.
func (k Key) Public() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }

// Sign returns the token of c: the base64url of its JSON, a dot, and the
// base64url of the Ed25519 signature of that JSON.
func (k Key) Sign(c Claims) string {
	payload, err := json.Marshal(c)
	if err != nil {
		panic(err) // Claims holds only strings and numbers
	}
	sig := ed25519.Sign(k.priv, payload)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Verify returns the claims of a token signed with the key whose public
// half is pub, or ErrInvalid.
func Verify(pub ed25519.PublicKey, token string) (Claims, error) {
	if len(token) > MaxToken {
		return Claims{}, ErrInvalid
	}
	p64, s64, ok := strings.Cut(token, ".")
	if !ok {
		return Claims{}, ErrInvalid
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	sig, err2 := base64.RawURLEncoding.DecodeString(s64)
	if err1 != nil || err2 != nil || len(sig) != ed25519.SignatureSize || !ed25519.Verify(pub, payload, sig) {
		return Claims{}, ErrInvalid
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil || c.Version != 1 || c.ID == "" {
		// Signed by Aduan but not a certificate this version reads.
		return Claims{}, ErrInvalid
	}
	return c, nil
}

// newID returns a random certificate id.
func newID() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
