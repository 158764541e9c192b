package documents

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"

	"golang.org/x/image/webp"
)

// Reasons for unreadable files, in Indonesian because agents paste them to
// the complainant as they are.
const (
	ReasonUnsupported = "format file tidak didukung; kirim foto dalam format JPG"
	ReasonHEIC        = "format HEIC/HEIF belum didukung; ubah ke JPG (di iPhone: Pengaturan > Kamera > Format > Paling Kompatibel) lalu kirim ulang"
	ReasonHEICCorrupt = "foto HEIC/HEIF tidak dapat kami buka; ubah ke JPG (di iPhone: Pengaturan > Kamera > Format > Paling Kompatibel) lalu kirim ulang"
	ReasonCorrupt     = "file gambar rusak atau terpotong; kirim ulang fotonya"
	ReasonTooLarge    = "gambar terlalu besar (lebih dari %d megapiksel); kirim foto biasa dari kamera ponsel" // %d: MaxPixels in MP
	ReasonPDFNoPhoto  = "PDF tanpa foto; kirim foto/JPG"
	ReasonPDFPhoto    = "foto di dalam PDF belum dapat dibaca; kirim foto/JPG"
	ReasonPDFLocked   = "PDF terkunci kata sandi; kirim foto/JPG"
	ReasonPDFCorrupt  = "PDF rusak atau terpotong; kirim foto/JPG"
)

// format is what the sniff says the bytes are.
type format string

const (
	formatJPEG format = "jpeg"
	formatPNG  format = "png"
	formatWebP format = "webp"
	formatPDF  format = "pdf"
	formatHEIC format = "heic"
	formatNone format = ""
)

// sniff names the format from the bytes. The declared type only helps to
// name HEIC when the bytes are too short to say, so the complainant gets the
// useful reason.
func sniff(data []byte, declared string) format {
	switch http.DetectContentType(data) {
	case "image/jpeg":
		return formatJPEG
	case "image/png":
		return formatPNG
	case "image/webp":
		return formatWebP
	case "application/pdf":
		return formatPDF
	}
	if isHEIF(data) {
		return formatHEIC
	}
	// A PDF may carry up to 1 KB of junk before its header; readers accept it.
	if i := bytes.Index(head(data, 1024), []byte("%PDF-")); i >= 0 {
		return formatPDF
	}
	d := strings.ToLower(declared)
	if strings.Contains(d, "heic") || strings.Contains(d, "heif") || strings.Contains(d, "avif") {
		return formatHEIC
	}
	return formatNone
}

// isHEIF recognises the ISO-BMFF "ftyp" box with a HEIF-family brand
// (HEIC, HEIF, AVIF), which the standard sniffer does not know.
func isHEIF(data []byte) bool {
	if len(data) < 12 || string(data[4:8]) != "ftyp" {
		return false
	}
	switch string(data[8:12]) {
	case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis":
		return true
	}
	return false
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// decode turns bytes into a source, or says in reason why it cannot. The
// header is read first so that a bomb is refused before any pixel buffer is
// allocated. The error is for a cancelled ctx and this machine's failures:
// HEIC is decoded by a child process (see decodeHEIF).
func (c *Checker) decode(ctx context.Context, data []byte, declared string) (source, string, error) {
	f := sniff(data, declared)
	switch f {
	case formatHEIC:
		if !c.HEIFAvailable() {
			return source{}, ReasonHEIC, nil
		}
		return c.decodeHEIF(ctx, data)
	case formatNone:
		return source{}, ReasonUnsupported, nil
	case formatPDF:
		jpg, reason := firstPDFImage(data)
		if reason != "" {
			return source{}, reason, nil
		}
		src, reason := c.decodeImage(jpg, formatJPEG)
		return src, reason, nil
	}
	src, reason := c.decodeImage(data, f)
	return src, reason, nil
}

func (c *Checker) decodeImage(data []byte, f format) (source, string) {
	var (
		cfg image.Config
		err error
	)
	switch f {
	case formatJPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case formatPNG:
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	case formatWebP:
		cfg, err = webp.DecodeConfig(bytes.NewReader(data))
	default:
		return source{}, ReasonUnsupported
	}
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return source{}, ReasonCorrupt
	}
	src := source{width: cfg.Width, height: cfg.Height, orientation: 1}
	// int64: 60000×60000 overflows nothing on 64-bit, but a crafted header
	// on a 32-bit build would.
	if int64(cfg.Width)*int64(cfg.Height) > int64(c.MaxPixels) {
		return src, tooLarge(c.MaxPixels)
	}
	var img image.Image
	switch f {
	case formatJPEG:
		img, err = jpeg.Decode(bytes.NewReader(data))
		src.jpeg = data
		src.orientation = jpegOrientation(data)
	case formatPNG:
		img, err = png.Decode(bytes.NewReader(data))
	case formatWebP:
		img, err = webp.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return src, ReasonCorrupt
	}
	src.img = img
	return src, ""
}

func tooLarge(maxPixels int) string {
	return fmt.Sprintf(ReasonTooLarge, (maxPixels+999_999)/1_000_000)
}
