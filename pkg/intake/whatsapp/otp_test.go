package whatsapp_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store/storetest"
)

// toCodeStep brings waID to the OTP step for phone and returns the answer.
func (h *harness) toCodeStep(waID, phone string) string {
	h.t.Helper()
	h.tap(waID, h.text(waID, "menu"), "Sertifikat Vaksin")
	return render(h.text(waID, phone))
}

// wrongCode is a code that is not the one last sent.
func wrongCode(right string) string {
	if right == "000000" {
		return "000001"
	}
	return "000000"
}

func TestOTPBruteForceIsBlocked(t *testing.T) {
	h := newHarness(t)
	h.toCodeStep(waSiti, phoneSiti)
	right := h.otp.last(t).code
	for i := 4; i >= 1; i-- {
		expect(t, h.text(waSiti, wrongCode(right)), fmt.Sprintf("Sisa percobaan: %d", i))
	}
	expect(t, h.text(waSiti, wrongCode(right)), "salah 5 kali", "[Sertifikat Vaksin]")
	// The challenge is over: the right code no longer passes.
	h.tap(waSiti, h.text(waSiti, "menu"), "Sertifikat Vaksin")
	out := render(h.text(waSiti, phoneSiti))
	if !strings.Contains(out, "Terlalu banyak") {
		t.Fatalf("a new code after 5 wrong ones:\n%s", out)
	}
	if n := h.otp.count(); n != 1 {
		t.Errorf("%d codes sent, want 1", n)
	}
	if strings.Contains(render(h.text(waSiti, right)), "Verifikasi berhasil") {
		t.Fatal("the code of a failed challenge verified")
	}
	// After the window, a new code may be asked for and works.
	h.clock.Advance(16 * time.Minute)
	h.toCodeStep(waSiti, phoneSiti)
	expect(t, h.text(waSiti, h.otp.last(t).code), "Verifikasi berhasil")
}

func TestOTPResendDoesNotResetFailures(t *testing.T) {
	h := newHarness(t)
	h.toCodeStep(waSiti, phoneSiti)
	for range 3 {
		h.text(waSiti, wrongCode(h.otp.last(t).code))
	}
	expect(t, h.text(waSiti, "kirim ulang"), "kode OTP 6 angka sudah dikirim")
	if n := h.otp.count(); n != 2 {
		t.Fatalf("%d codes sent, want 2", n)
	}
	right := h.otp.last(t).code
	expect(t, h.text(waSiti, wrongCode(right)), "Sisa percobaan: 1")
	expect(t, h.text(waSiti, wrongCode(right)), "salah 5 kali")
	// Nor does another WhatsApp sender asking for the same number.
	out := h.toCodeStep(waBudi, phoneSiti)
	if !strings.Contains(out, "Terlalu banyak") {
		t.Errorf("another sender got a code for a number under attack:\n%s", out)
	}
}

func TestOTPSingleUseAndExpiry(t *testing.T) {
	h := newHarness(t)
	h.toCodeStep(waSiti, phoneSiti)
	code := h.otp.last(t).code
	h.clock.Advance(5*time.Minute + time.Second)
	expect(t, h.text(waSiti, code), "kedaluwarsa")
	h.text(waSiti, "kirim ulang")
	code = h.otp.last(t).code
	expect(t, h.text(waSiti, code), "Verifikasi berhasil")
	// The used code, typed against the next challenge.
	if out := h.toCodeStep(waSiti, phoneSiti); !strings.Contains(out, "sudah dikirim") {
		t.Fatalf("no new code:\n%s", out)
	}
	if code != h.otp.last(t).code && strings.Contains(render(h.text(waSiti, code)), "Verifikasi berhasil") {
		t.Error("a used code passed again")
	}
	// A code typed where none is asked for is not kept either.
	h.text(waSiti, "menu")
	h.text(waSiti, code)
	if n := storetest.Count(t, h.dbURL, `SELECT count(*) FROM otp_challenges WHERE code_mac = convert_to($1, 'UTF8')`, code); n != 0 {
		t.Error("a code is stored in clear")
	}
	if n := storetest.Count(t, h.dbURL, `SELECT count(*) FROM whatsapp_conversations WHERE state::text LIKE '%' || $1 || '%'`, code); n != 0 {
		t.Errorf("the code %s is kept in the conversation", code)
	}
}

func TestOTPSendLimits(t *testing.T) {
	h := newHarness(t)
	for i := range 3 {
		if out := h.toCodeStep(waSiti, phoneSiti); !strings.Contains(out, "sudah dikirim") {
			t.Fatalf("send %d refused:\n%s", i+1, out)
		}
	}
	expect(t, h.text(waSiti, "kirim ulang"), "Terlalu banyak permintaan kode OTP", "16.15 WIB")
	if n := h.otp.count(); n != 3 {
		t.Fatalf("%d codes sent, want 3", n)
	}
	// The limit is the number's too, whoever asks.
	if out := h.toCodeStep(waBudi, phoneSiti); !strings.Contains(out, "Terlalu banyak") {
		t.Errorf("another sender got a fourth code:\n%s", out)
	}
	// And the sender's, whatever number it asks for.
	if out := h.toCodeStep(waSiti, phoneBudi); !strings.Contains(out, "Terlalu banyak") {
		t.Errorf("the sender got a fourth code for another number:\n%s", out)
	}
	// Ten a day, in windows of three.
	sent := 3
	for range 3 {
		h.clock.Advance(16 * time.Minute)
		for range 3 {
			if strings.Contains(h.toCodeStep(waSiti, phoneSiti), "sudah dikirim") {
				sent++
			}
		}
	}
	if sent != 10 || h.otp.count() != 10 {
		t.Fatalf("%d codes sent in a day (%d told), want 10", h.otp.count(), sent)
	}
	h.clock.Advance(16 * time.Minute)
	if out := h.toCodeStep(waSiti, phoneSiti); !strings.Contains(out, "batas hari ini") {
		t.Errorf("an eleventh code in a day:\n%s", out)
	}
}

func TestOTPNumberNotRegistered(t *testing.T) {
	h := newHarness(t)
	registered := h.toCodeStep(waSiti, phoneSiti)
	unknown := h.toCodeStep(waBudi, "0811 0000 1111")
	same := func(s, phone string) string {
		return strings.ReplaceAll(s, phone, "NOMOR")
	}
	if a, b := same(registered, phoneSiti), same(unknown, "+6281100001111"); a != b {
		t.Errorf("answers differ:\nregistered: %s\nunknown:    %s", a, b)
	}
	if n := h.otp.count(); n != 1 || h.otp.last(t).phone != phoneSiti {
		t.Errorf("codes sent: %+v", h.otp.sent)
	}
	// No code passes for it, and trying counts like any wrong code.
	for _, code := range []string{"000000", "123456", "999999"} {
		if strings.Contains(render(h.text(waBudi, code)), "Verifikasi berhasil") {
			t.Fatal("a number not registered was verified")
		}
	}
	expect(t, h.text(waBudi, "111111"), "Sisa percobaan: 1")
}
