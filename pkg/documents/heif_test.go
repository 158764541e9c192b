package documents

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// iPhoneSetting is what a complainant is told to change when their HEIC
// photo cannot be used.
const iPhoneSetting = "Pengaturan > Kamera > Format > Paling Kompatibel"

func heicFixture(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/vaccine-card.heic")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// needHEIFConvert skips a test of the decoding path where libheif's
// heif-convert is not installed; scripts/provision.sh installs it for
// make test.
func needHEIFConvert(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(DefaultHEIFConvert); err != nil {
		t.Skip("heif-convert not installed (Debian's libheif-examples)")
	}
}

// TestHEIFDecoded checks an iPhone-style HEIC photo of the vaccination card
// with the decoder installed: read like a JPEG (its QR code and all), the
// derivative a plain JPEG, and nothing left in the temporary directory.
func TestHEIFDecoded(t *testing.T) {
	needHEIFConvert(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // os.MkdirTemp's directory, to see it cleaned
	c := newChecker(t)
	if !c.HEIFAvailable() {
		t.Fatal("heif-convert is on PATH but the checker did not find it")
	}
	res := check(t, c, heicFixture(t), "image/heic", ticket.KindVaccineCard)
	if res.Check.Verdict != ticket.VerdictOK || res.Kind != ticket.KindVaccineCard {
		t.Fatalf("verdict %s %q, kind %s; want ok vaccine_card (scores %v)", res.Check.Verdict, res.Check.Reasons,
			res.Kind, res.Check.Scores)
	}
	if res.Check.QRPayload != "VAKSIN-WEBP-FIXTURE" {
		t.Errorf("QR payload %q, want the card's", res.Check.QRPayload)
	}
	if res.Check.Scores["width"] != 600 || res.Check.Scores["height"] != 450 {
		t.Errorf("scores %v, want 600×450", res.Check.Scores)
	}
	der, err := jpeg.Decode(bytes.NewReader(res.Derivative))
	if err != nil {
		t.Fatalf("derivative is not a JPEG: %v", err)
	}
	if b := der.Bounds(); b.Dx() != 600 || b.Dy() != 450 {
		t.Errorf("derivative %v, want 600×450", b)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestHEIFNotInstalled checks the photo without a decoder: unreadable,
// with the iPhone setting that sends JPG instead.
func TestHEIFNotInstalled(t *testing.T) {
	c := newChecker(t, WithHEIFConvert(filepath.Join(t.TempDir(), "no-such-heif-convert")))
	if c.HEIFAvailable() {
		t.Fatal("a missing command counts as a decoder")
	}
	for _, declared := range []string{"image/heic", "application/octet-stream"} {
		res := check(t, c, heicFixture(t), declared, ticket.KindVaccineCard)
		if res.Check.Verdict != ticket.VerdictUnreadable || !hasReason(res, ReasonHEIC) {
			t.Errorf("%s: verdict %s %q, want unreadable: %s", declared, res.Check.Verdict, res.Check.Reasons, ReasonHEIC)
		}
		if !strings.Contains(ReasonHEIC, iPhoneSetting) || res.Derivative != nil {
			t.Errorf("%s: the reason must name the iPhone setting; derivative %d bytes", declared, len(res.Derivative))
		}
	}
}

// TestHEIFRefused covers what the decoder must not be trusted with: a
// damaged file, a file declaring more pixels than allowed (refused from
// its header, before any decoding), a converter that hangs, and a
// cancelled check.
func TestHEIFRefused(t *testing.T) {
	needHEIFConvert(t)
	fixture := heicFixture(t)
	bomb := bytes.Clone(fixture)
	i := bytes.Index(bomb, []byte("ispe"))
	if i < 0 {
		t.Fatal("fixture has no ispe box")
	}
	binary.BigEndian.PutUint32(bomb[i+8:], 60000)
	binary.BigEndian.PutUint32(bomb[i+12:], 60000)

	// A converter that never finishes: only the timeout ends it.
	hang := filepath.Join(t.TempDir(), "heif-convert")
	if err := os.WriteFile(hang, []byte("#!/bin/sh\nexec sleep 600\n"), 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		checker *Checker
		data    []byte
		reason  string
	}{
		{"truncated", newChecker(t), fixture[:len(fixture)/2], ReasonHEICCorrupt},
		{"no image inside", newChecker(t), fixture[:200], ReasonHEICCorrupt},
		{"bomb", newChecker(t), bomb, "gambar terlalu besar (lebih dari 40 megapiksel)"},
		{"hanging converter", newChecker(t, WithHEIFConvert(hang), WithHEIFTimeout(200*time.Millisecond)), fixture, ReasonHEICCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := check(t, tt.checker, tt.data, "image/heic", ticket.KindKTP)
			if res.Check.Verdict != ticket.VerdictUnreadable || !hasReason(res, tt.reason) {
				t.Fatalf("verdict %s %q, want unreadable: %s", res.Check.Verdict, res.Check.Reasons, tt.reason)
			}
			if !strings.Contains(res.Check.Reasons[0], iPhoneSetting) && tt.reason == ReasonHEICCorrupt {
				t.Errorf("reason %q does not name the iPhone setting", res.Check.Reasons[0])
			}
		})
	}

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := newChecker(t, WithHEIFConvert(hang)).Check(ctx, fixture, "image/heic", ticket.KindKTP, "")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v, want context.Canceled", err)
		}
	})
}

func TestHEIFSize(t *testing.T) {
	w, h, ok := heifSize(heicFixture(t))
	if !ok || w != 600 || h != 450 {
		t.Fatalf("heifSize = %d×%d %v, want 600×450", w, h, ok)
	}
	for _, bad := range [][]byte{nil, []byte("\x00\x00\x00\x08ftyp"), []byte("\x00\x00\x00\xffmeta\x00\x00\x00\x00")} {
		if _, _, ok := heifSize(bad); ok {
			t.Errorf("heifSize(%q) ok", bad)
		}
	}
}
