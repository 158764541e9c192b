package documents

import (
	"bufio"
	"bytes"
	"context"
	"image"
	"image/png"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

const (
	// ocrSide is the long side of the image given to tesseract: KTP text is
	// small, and tesseract reads best with capitals 20–30 px high.
	ocrSide = 2000
	// ocrTimeout bounds one tesseract run; a stuck OCR must not hold a
	// worker, and the NIK comparison is only a hint.
	ocrTimeout = 20 * time.Second
)

// findTesseract returns the tesseract command's path when it has the
// Indonesian data (Debian's tesseract-ocr-ind), "" otherwise.
func findTesseract() string {
	path, err := exec.LookPath("tesseract")
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--list-langs").CombinedOutput()
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "ind" {
			return path
		}
	}
	return ""
}

// readNIK runs tesseract on the oriented image and returns the NIK it read,
// "" when it read none. OCR failures are not errors: the NIK check is an
// extra hint for the agent, and the photo has already been judged.
func (c *Checker) readNIK(ctx context.Context, src source) string {
	g := orientPlane(grayPlane(src.img, ocrSide), src.orientation)
	var in bytes.Buffer
	if err := png.Encode(&in, &image.Gray{Pix: g.pix, Stride: g.w, Rect: image.Rect(0, 0, g.w, g.h)}); err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, ocrTimeout)
	defer cancel()
	// --psm 4 reads a column of lines of varying size, which the KTP's left
	// side is; --psm 11 (sparse text) rescues photos where the layout
	// analysis fails. On the test card --psm 6 merged "01" into "019".
	for _, psm := range []string{"4", "11"} {
		cmd := exec.CommandContext(ctx, c.tesseract, "stdin", "stdout", "-l", "ind", "--psm", psm)
		cmd.Stdin = bytes.NewReader(in.Bytes())
		out, err := cmd.Output()
		if err != nil {
			return ""
		}
		if nik := parseNIK(string(out)); nik != "" {
			return nik
		}
	}
	return ""
}

var sixteenDigits = regexp.MustCompile(`(?:^|\D)(\d{16})(?:\D|$)`)

// ocrDigits maps the letters OCR confuses with digits in a numeric field.
var ocrDigits = strings.NewReplacer(
	"O", "0", "o", "0", "D", "0", "Q", "0",
	"I", "1", "l", "1", "i", "1", "|", "1", "!", "1",
	"Z", "2", "z", "2", "S", "5", "s", "5", "G", "6", "b", "6",
	"T", "7", "B", "8", "g", "9", "q", "9",
)

// parseNIK finds the NIK in OCR text: on the line labelled NIK, with
// look-alike letters read as digits, else any lone run of 16 digits.
func parseNIK(text string) string {
	lines := strings.Split(text, "\n")
	for _, line := range lines {
		i := strings.Index(strings.ToUpper(line), "NIK")
		if i < 0 {
			continue
		}
		value := strings.TrimLeft(line[i+3:], " :.;=-")
		value = strings.ReplaceAll(ocrDigits.Replace(value), " ", "")
		if m := sixteenDigits.FindStringSubmatch(value); m != nil {
			return m[1]
		}
	}
	for _, line := range lines {
		if m := sixteenDigits.FindStringSubmatch(strings.ReplaceAll(line, " ", "")); m != nil {
			return m[1]
		}
	}
	return ""
}
