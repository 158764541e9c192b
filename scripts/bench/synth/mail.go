package synth

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"mime/quotedprintable"
	"runtime"
	"sync"
	"time"
)

// Photos are 30 JPEGs (10 per kind) encoded once, about 200 KB each; every
// mail gets its own copies with a JPEG comment segment naming the mail, so
// each attachment has its own sha256 (as real photos do) at no encoding cost.
type Photos [3][10][]byte

// PhotoFiles are the names of a mail's three photos, as the help desk asks
// for them: the KTP, a selfie with the KTP, the vaccination card.
var PhotoFiles = [3]string{"ktp.jpg", "selfie.jpg", "kartu-vaksin.jpg"}

const photoTarget = 200 << 10

// MakePhotos encodes the photos, on every core; it takes a few seconds.
func MakePhotos() (*Photos, error) {
	var p Photos
	var wg sync.WaitGroup
	errs := make([]error, 30)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for k := range 3 {
		for j := range 10 {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				p[k][j], errs[k*10+j] = photo(uint64(k*10+j+1), k)
			}()
		}
	}
	wg.Wait()
	return &p, errors.Join(errs...)
}

// photo is a 1024x768 gradient with noise (a stand-in for a phone photo),
// its JPEG quality searched so the file lands within 5% of 200 KB.
func photo(seed uint64, kind int) ([]byte, error) {
	const w, h, noise = 1024, 768, 32
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	clamp := func(v int) uint8 { return uint8(min(255, max(0, v))) }
	tint := [3]int{40 * kind, 80 - 30*kind, 20 * kind}
	for y := range h {
		for x := range w {
			n := func() int { return r.IntN(2*noise+1) - noise }
			img.SetRGBA(x, y, color.RGBA{clamp(x*200/w + tint[0] + n()), clamp(y*200/h + tint[1] + n()),
				clamp((x+y)*128/(w+h) + 64 + tint[2] + n()), 255})
		}
	}
	lo, hi := 30, 95
	var best []byte
	for lo <= hi {
		q := (lo + hi) / 2
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
			return nil, err
		}
		if best == nil || abs(b.Len()-photoTarget) < abs(len(best)-photoTarget) {
			best = b.Bytes()
		}
		if b.Len() > photoTarget {
			hi = q - 1
		} else {
			lo = q + 1
		}
	}
	if abs(len(best)-photoTarget) > photoTarget/20 {
		return nil, fmt.Errorf("photo %d: %d bytes, not near %d", seed, len(best), photoTarget)
	}
	return best, nil
}

func abs(x int) int { return max(x, -x) }

// withComment returns jpg with a COM segment holding text right after SOI.
func withComment(jpg []byte, text string) []byte {
	out := make([]byte, 0, len(jpg)+len(text)+4)
	out = append(out, jpg[:2]...) // FF D8
	n := len(text) + 2
	out = append(out, 0xFF, 0xFE, byte(n>>8), byte(n))
	out = append(out, text...)
	return append(out, jpg[2:]...)
}

// Mail subjects and complaints, cycled through by k.
var (
	subjects = []string{"Sertifikat vaksin dosis 2 belum muncul", "Data di sertifikat vaksin salah",
		"Mohon bantuan perubahan data", "NIK saya sudah terdaftar", "Sertifikat vaksin tidak muncul di aplikasi"}
	complaints = []string{
		"Sertifikat vaksin dosis kedua belum muncul di aplikasi PeduliLindungi padahal saya sudah vaksin tanggal 2 November 2021 di Puskesmas Cibinong, sudah lebih dari 14 hari.",
		"Tanggal vaksin di sertifikat tertulis 12 Oktober, padahal saya divaksin 21 Oktober di Puskesmas. Nama di sertifikat juga salah ketik, seharusnya sesuai KTP.",
		"Mohon bantuan mengubah data pribadi di sertifikat: nama dan tanggal lahir tidak sesuai KTP. Terlampir foto KTP, swafoto dan kartu vaksin.",
		"Saat daftar muncul pesan NIK sudah terdaftar, padahal belum pernah vaksin. Sepertinya NIK saya dipakai orang lain. Mohon dicek.",
		"Sudah vaksin dosis pertama dan kedua, tetapi sertifikat tidak muncul. Sudah dicoba cek berkali-kali tetap tidak ada.",
	}
)

// Mail writes the complaint mail of person k for run (Message-ID
// <prefix-run-k@warga.test>): the five form fields in the text and the three
// photos attached.
func Mail(p *Photos, prefix string, run, k int, date time.Time) (msgID string, raw []byte) {
	who := PersonOf(k)
	msgID = fmt.Sprintf("<%s-%d-%d@warga.test>", prefix, run, k)
	boundary := fmt.Sprintf("=_aduan_bench_%d_%d", run, k)
	var b bytes.Buffer
	b.Grow(850 << 10)
	fmt.Fprintf(&b, "From: %s <%s>\r\nTo: PeduliLindungi <pedulilindungi@kemkes.test>\r\n", who.Name, who.Email)
	fmt.Fprintf(&b, "Subject: %s\r\nDate: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n",
		subjects[k%len(subjects)], date.Format(time.RFC1123Z), msgID)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary)
	text := fmt.Sprintf("Selamat pagi Bapak/Ibu,\r\n\r\nNama Lengkap: %s\r\nNIK: %s\r\nTempat, Tanggal Lahir: %s\r\n"+
		"Nomor HP: %s\r\nKeluhan: %s\r\n\r\nTerlampir foto KTP, swafoto dengan KTP, dan kartu vaksin.\r\n\r\nTerima kasih.\r\n%s\r\n",
		who.Name, who.NIK, who.BirthText(), who.PhoneText(), complaints[k%len(complaints)], who.Name)
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(text))
	qp.Close()
	b.WriteString("\r\n")
	line := make([]byte, 76)
	for kind, file := range PhotoFiles {
		jpg := withComment(p[kind][(k+kind)%10], fmt.Sprintf("aduan-bench %s run %d mail %d %s", prefix, run, k, file))
		fmt.Fprintf(&b, "--%s\r\nContent-Type: image/jpeg; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n", boundary, file, file)
		enc := base64.StdEncoding.EncodeToString(jpg)
		for len(enc) > 0 {
			n := copy(line, enc)
			b.Write(line[:n])
			b.WriteString("\r\n")
			enc = enc[n:]
		}
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return msgID, b.Bytes()
}
