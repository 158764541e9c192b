package httpapi_test

import (
	"net/http"
	"testing"
)

type loginOut struct {
	Token     string `json:"token"`
	ExpiresAt string `json:"expires_at"`
	User      struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
		Role  string `json:"role"`
	} `json:"user"`
}

type userOut struct {
	ID       int64    `json:"id"`
	Email    string   `json:"email"`
	Role     string   `json:"role"`
	Queues   []string `json:"queues"`
	Capacity int      `json:"capacity"`
	Presence string   `json:"presence"`
}

func sessionCookie(r reply) *http.Cookie {
	for _, c := range r.Cookies {
		if c.Name == "aduan_session" {
			return c
		}
	}
	return nil
}

func TestLogin(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	t.Run("ok", func(t *testing.T) {
		r := h.login(t, "Agen1@Aduan.test", testPassword).must(t, http.StatusOK)
		var out loginOut
		r.decode(t, &out)
		if out.Token == "" || out.User.ID != h.agent.ID || out.User.Role != "agent" || out.ExpiresAt == "" {
			t.Errorf("login answered %s", r.Body)
		}
		c := sessionCookie(r)
		if c == nil || c.Value != out.Token || !c.HttpOnly {
			t.Errorf("session cookie %+v, want the token, HttpOnly", c)
		}
	})
	var messages []string
	for _, tt := range []struct{ name, email, password string }{
		{"wrong password", h.supervisor.Email, "bukan-kata-sandinya"},
		{"unknown email", "siapa@aduan.test", testPassword},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := h.login(t, tt.email, tt.password)
			e := r.expectError(t, http.StatusUnauthorized, "unauthorized")
			if sessionCookie(r) != nil {
				t.Errorf("a failed login set a session cookie")
			}
			messages = append(messages, e.Error.Message)
		})
	}
	// An attacker must not learn which emails have accounts.
	if len(messages) == 2 && messages[0] != messages[1] {
		t.Errorf("wrong password says %q, unknown email says %q", messages[0], messages[1])
	}
	t.Run("missing fields", func(t *testing.T) {
		h.call(t, "POST", "/api/v1/auth/login", "", map[string]string{}).
			expectError(t, http.StatusUnprocessableEntity, "invalid", "email", "password")
	})
}

func TestBearerAndCookie(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.login(t, h.agent.Email, testPassword).must(t, http.StatusOK)
	var out loginOut
	r.decode(t, &out)
	cookie := sessionCookie(r)
	if cookie == nil {
		t.Fatalf("login set no session cookie")
	}
	withCookie := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value}) }
	tests := []struct {
		name  string
		token string
		mods  []func(*http.Request)
		want  int
	}{
		{"bearer", out.Token, nil, http.StatusOK},
		{"session cookie", "", []func(*http.Request){withCookie}, http.StatusOK},
		{"nothing", "", nil, http.StatusUnauthorized},
		{"unknown token", "not-a-token", nil, http.StatusUnauthorized},
		{"unknown cookie", "", []func(*http.Request){func(r *http.Request) {
			r.AddCookie(&http.Cookie{Name: "aduan_session", Value: "not-a-token"})
		}}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.call(t, "GET", "/api/v1/me", tt.token, nil, tt.mods...)
			if !r.expect(t, tt.want) || tt.want != http.StatusOK {
				return
			}
			var me userOut
			r.decode(t, &me)
			if me.ID != h.agent.ID {
				t.Errorf("/me is user %d, want %d", me.ID, h.agent.ID)
			}
		})
	}
	t.Run("cookie on a cross-site POST", func(t *testing.T) {
		h.call(t, "POST", "/api/v1/auth/logout", "", nil, withCookie).expectError(t, http.StatusForbidden, "forbidden")
	})
	t.Run("cookie on a same-origin POST", func(t *testing.T) {
		r := h.call(t, "POST", "/api/v1/auth/logout", "", nil, withCookie, withHeader("Origin", "http://example.com"))
		if !r.expect(t, http.StatusNoContent) {
			return
		}
		if c := sessionCookie(r); c == nil || c.MaxAge >= 0 {
			t.Errorf("logout did not clear the session cookie: %+v", c)
		}
		h.call(t, "GET", "/api/v1/me", "", nil, withCookie).expect(t, http.StatusUnauthorized)
	})
}

func TestLogoutRevokes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var first, second loginOut
	h.login(t, h.agent.Email, testPassword).must(t, http.StatusOK).decode(t, &first)
	h.login(t, h.agent.Email, testPassword).must(t, http.StatusOK).decode(t, &second)
	h.call(t, "GET", "/api/v1/me", first.Token, nil).must(t, http.StatusOK)
	h.call(t, "POST", "/api/v1/auth/logout", first.Token, nil).must(t, http.StatusNoContent)
	h.call(t, "GET", "/api/v1/me", first.Token, nil).expectError(t, http.StatusUnauthorized, "unauthorized")
	h.call(t, "POST", "/api/v1/auth/logout", first.Token, nil).expectError(t, http.StatusUnauthorized, "unauthorized")
	// Only that login ends.
	h.call(t, "GET", "/api/v1/me", second.Token, nil).expect(t, http.StatusOK)
}
