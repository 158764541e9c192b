package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/aduan/aduan/pkg/ticket"
)

// Argon2id parameters (OWASP's minimum: 19 MiB, 2 passes, 1 lane): slow
// enough to make a stolen hash expensive, quick enough for a login.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an argon2id hash of password in the PHC string form.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("unknown password hash format")
	}
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return false, fmt.Errorf("password hash parameters: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// hashGate bounds the argon2id hashes computed at once. Each takes 19 MiB
// and most of a core for tens of milliseconds, so a burst of logins hashed
// all together would take the server's memory and every login's latency
// with it. Past the bound a login waits briefly for a place, then is told
// to come back (503 with Retry-After).
type hashGate struct {
	slots chan struct{}
	wait  time.Duration
}

// errHashBusy says every place to hash is taken and stayed taken.
var errHashBusy = ticket.Errorf(ticket.EUNAVAILABLE,
	"Terlalu banyak yang sedang masuk; coba lagi sebentar. / Too many logins at once; try again shortly.")

func newHashGate(n int, wait time.Duration) *hashGate {
	return &hashGate{slots: make(chan struct{}, n), wait: wait}
}

// check is CheckPassword once a place is free; errHashBusy when none
// frees in time.
func (g *hashGate) check(ctx context.Context, hash, password string) (bool, error) {
	select {
	case g.slots <- struct{}{}:
	default:
		t := time.NewTimer(g.wait)
		defer t.Stop()
		select {
		case g.slots <- struct{}{}:
		case <-t.C:
			return false, errHashBusy
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	defer func() { <-g.slots }()
	return CheckPassword(hash, password)
}
