package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/ticket"
)

// NewUser is what `aduan user add` is given.
type NewUser struct {
	Email    string
	Name     string
	Role     ticket.Role
	Password string
	Queues   []string
	Capacity int
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// AddUser validates and stores a user with a hashed password.
func (a *App) AddUser(ctx context.Context, nu NewUser) (ticket.User, error) {
	f := ticket.FieldErrors{}
	email, err := ticket.NormalizeEmail(nu.Email)
	if err != nil {
		f.Add("email", ticket.ErrorMessage(err))
	}
	name, err := ticket.NormalizeName(nu.Name)
	if err != nil {
		f.Add("name", ticket.ErrorMessage(err))
	}
	if !nu.Role.Valid() {
		f.Add("role", "peran harus agent, supervisor atau admin")
	}
	if len([]rune(nu.Password)) < MinPasswordLength {
		f.Add("password", fmt.Sprintf("kata sandi paling sedikit %d karakter", MinPasswordLength))
	} else if len(nu.Password) > httpapi.MaxPasswordBytes {
		f.Add("password", fmt.Sprintf("kata sandi paling panjang %d byte", httpapi.MaxPasswordBytes))
	}
	if nu.Capacity < 0 || nu.Capacity > 500 {
		f.Add("capacity", "kapasitas harus 0 sampai 500")
	}
	if err := f.Err(); err != nil {
		return ticket.User{}, err
	}
	hash, err := httpapi.HashPassword(nu.Password)
	if err != nil {
		return ticket.User{}, err
	}
	u := ticket.User{Email: email, Name: name, Role: nu.Role, Queues: cleanQueues(nu.Queues),
		Capacity: nu.Capacity, Presence: ticket.PresenceAvailable}
	return u, a.Store.CreateUser(ctx, &u, hash)
}

func cleanQueues(qs []string) []string {
	out := []string{}
	for _, q := range qs {
		if q = strings.TrimSpace(q); q != "" {
			out = append(out, q)
		}
	}
	return out
}

// DisableUser disables the user with email, as `aduan user disable` does
// on the server: they can no longer log in, every session of theirs ends at
// once, their unstarted tickets go back to the queues, and the audit log
// records it (with no user behind it) and why.
func (a *App) DisableUser(ctx context.Context, email, reason string) (ticket.User, error) {
	u, _, err := a.Store.UserByEmail(ctx, strings.TrimSpace(email))
	if err != nil {
		return ticket.User{}, err
	}
	if reason = strings.TrimSpace(reason); reason == "" {
		reason = "aduan user disable"
	}
	if u, err = a.Store.DisableUser(ctx, u.ID, 0, reason); err != nil {
		return ticket.User{}, err
	}
	if _, err := a.Router.ReleaseUnstarted(ctx, u.ID); err != nil {
		return u, fmt.Errorf("disabled, but the unstarted tickets stay assigned: %w", err)
	}
	return u, nil
}
