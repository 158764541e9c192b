package tlsmode

import "testing"

func TestCheck(t *testing.T) {
	tests := []struct {
		mode, host string
		ok         bool
	}{
		{None, "127.0.0.1", true},
		{None, "::1", true},
		{None, "localhost", true},
		{None, "mail.kemkes.go.id", false},
		{None, "10.0.0.5", false},
		{StartTLS, "mail.kemkes.go.id", true},
		{TLS, "mail.kemkes.go.id", true},
		{TLS, "127.0.0.1", true},
		{"ssl", "127.0.0.1", false},
		{"", "127.0.0.1", false},
	}
	for _, tt := range tests {
		if err := Check(tt.mode, tt.host); (err == nil) != tt.ok {
			t.Errorf("Check(%q, %q) = %v, want ok %v", tt.mode, tt.host, err, tt.ok)
		}
	}
}
