package ticket

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckRevealReason(t *testing.T) {
	tests := []struct{ name, in, want, wantErr string }{
		{name: "a listed reason", in: "Verifikasi identitas penelepon", want: "Verifikasi identitas penelepon"},
		{name: "trimmed", in: "  Permintaan penegak hukum\n", want: "Permintaan penegak hukum"},
		{name: "200 characters", in: strings.Repeat("é", 200), want: strings.Repeat("é", 200)},

		{name: "missing", in: "", wantErr: "wajib diisi"},
		{name: "blank", in: " \t\n", wantErr: "wajib diisi"},
		{name: "201 characters", in: strings.Repeat("é", 201), wantErr: "paling banyak 200"},
		{name: "NUL", in: "cek\x00data", wantErr: "karakter kontrol"},
		{name: "two lines", in: "cek\ndata", wantErr: "karakter kontrol"},
		{name: "right-to-left override", in: "cek\u202edata", wantErr: "karakter kontrol"},
		{name: "invalid UTF-8", in: "cek\xc0\xaf", wantErr: "tidak valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckRevealReason(tt.in)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("CheckRevealReason(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != EINVALID || !strings.Contains(e.Fields["reason"], tt.wantErr) {
				t.Fatalf("CheckRevealReason(%q) error %v, want EINVALID with reason %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestRevealReasonsAreValid(t *testing.T) {
	reasons := RevealReasons()
	if len(reasons) < 3 {
		t.Fatalf("%d reveal reasons, want a list to choose from", len(reasons))
	}
	for _, r := range reasons {
		if got, err := CheckRevealReason(r); err != nil || got != r {
			t.Errorf("listed reason %q is refused: %v", r, err)
		}
	}
	reasons[0] = "changed"
	if RevealReasons()[0] == "changed" {
		t.Error("a caller changed the reveal reasons")
	}
}
