package documents

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"
)

// HEIC/HEIF, the iPhone's default, is decoded by libheif's heif-convert
// (Debian's libheif-examples) in a child process: Go has no HEVC decoder,
// and a crash or a runaway decode of a hostile file then takes down a
// process of its own, not the worker.

const (
	// DefaultHEIFConvert is the command that decodes HEIC/HEIF, looked up
	// on PATH.
	DefaultHEIFConvert = "heif-convert"
	// DefaultHEIFTimeout bounds one conversion. A 12 MP iPhone photo takes
	// well under a second; a file that takes this long is refused.
	DefaultHEIFTimeout = 30 * time.Second
	// heifQuality is the JPEG quality of the converted image: high enough
	// that the blur and contrast scores measure the photo, not the
	// conversion.
	heifQuality = 92
	// maxHEIFOutput bounds what is read back from the converter: a 40 MP
	// JPEG at heifQuality stays well below it.
	maxHEIFOutput = 64 << 20
)

// errHEIFRefused is a file heif-convert could not turn into an image: it
// failed on it, took too long, or wrote nothing usable.
var errHEIFRefused = errors.New("heif-convert could not decode the file")

// decodeHEIF decodes a HEIC/HEIF file with heif-convert, or says in reason
// why it cannot: the image size is read from the file's own header (its
// largest "ispe" property) and checked against MaxPixels before the
// converter runs, so a bomb is refused without decoding it. The error is
// for a cancelled ctx and for failures of this machine (no temporary
// directory), never for a bad file.
func (c *Checker) decodeHEIF(ctx context.Context, data []byte) (source, string, error) {
	w, h, ok := heifSize(data)
	if !ok {
		return source{}, ReasonHEICCorrupt, nil
	}
	if int64(w)*int64(h) > int64(c.MaxPixels) {
		return source{width: w, height: h, orientation: 1}, tooLarge(c.MaxPixels), nil
	}
	jpg, err := c.convertHEIF(ctx, data)
	switch {
	case ctx.Err() != nil:
		return source{}, "", ctx.Err()
	case errors.Is(err, errHEIFRefused):
		return source{}, ReasonHEICCorrupt, nil
	case err != nil:
		return source{}, "", fmt.Errorf("documents: %w", err)
	}
	src, reason := c.decodeImage(jpg, formatJPEG)
	// libheif has applied the file's rotation and mirroring (irot, imir);
	// an EXIF orientation copied into the JPEG would turn it a second time.
	src.orientation = 1
	return src, reason, nil
}

// convertHEIF runs heif-convert on data in a temporary directory removed
// afterwards, bounded by HEIFTimeout and ctx, and returns the JPEG it
// wrote. A file holding several images (a burst) is converted into one
// JPEG per image, numbered; the first is taken. What the file causes wraps
// errHEIFRefused; any other error is this machine's (no temporary space,
// the command gone).
func (c *Checker) convertHEIF(ctx context.Context, data []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "aduan-heif-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "in.heic"), filepath.Join(dir, "out.jpg")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.HEIFTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.heifConvert, "--quiet", "-q", fmt.Sprint(heifQuality), in, out)
	cmd.Dir = dir
	cmd.WaitDelay = time.Second // a child that keeps the pipes open must not hold the worker
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, left: 1024}
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) || ctx.Err() != nil {
			err = fmt.Errorf("%w: %v: %s", errHEIFRefused, err, bytes.TrimSpace(stderr.Bytes()))
		}
		return nil, fmt.Errorf("heif-convert: %w", err)
	}
	if _, err := os.Stat(out); errors.Is(err, os.ErrNotExist) {
		numbered, _ := filepath.Glob(filepath.Join(dir, "out-*.jpg"))
		if len(numbered) == 0 {
			return nil, errHEIFRefused
		}
		sort.Strings(numbered)
		out = numbered[0]
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	jpg, err := io.ReadAll(io.LimitReader(f, maxHEIFOutput+1))
	if err == nil && len(jpg) > maxHEIFOutput {
		return nil, errHEIFRefused
	}
	return jpg, err
}

// limitedBuffer keeps the first bytes written to it and drops the rest.
type limitedBuffer struct {
	buf  *bytes.Buffer
	left int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if l.left > 0 {
		n := min(len(p), l.left)
		l.buf.Write(p[:n])
		l.left -= n
	}
	return len(p), nil
}

// heifSize returns the largest image size a HEIF file declares: the
// biggest of the "ispe" properties under meta/iprp/ipco. A grid image
// (how iPhones store a photo, in 512×512 tiles) declares its full size
// there, the tiles their own. ok is false when the file has no such
// property, which every HEIF image item must have.
func heifSize(data []byte) (w, h int, ok bool) {
	meta, found := findBox(data, "meta")
	if !found || len(meta) < 4 {
		return 0, 0, false
	}
	iprp, found := findBox(meta[4:], "iprp") // meta is a full box: version and flags first
	if !found {
		return 0, 0, false
	}
	ipco, found := findBox(iprp, "ipco")
	if !found {
		return 0, 0, false
	}
	var best int64
	eachBox(ipco, func(typ string, body []byte) {
		if typ != "ispe" || len(body) < 12 {
			return
		}
		bw, bh := binary.BigEndian.Uint32(body[4:8]), binary.BigEndian.Uint32(body[8:12])
		if area := int64(bw) * int64(bh); bw > 0 && bh > 0 && area > best && bw < 1<<30 && bh < 1<<30 {
			best, w, h = area, int(bw), int(bh)
		}
	})
	return w, h, best > 0
}

// findBox returns the body of the first ISO-BMFF box of type typ among the
// boxes in data.
func findBox(data []byte, typ string) ([]byte, bool) {
	var body []byte
	found := false
	eachBox(data, func(t string, b []byte) {
		if !found && t == typ {
			body, found = b, true
		}
	})
	return body, found
}

// eachBox calls fn with the type and body of each ISO-BMFF box in data, in
// order, and stops at the first box whose size does not fit.
func eachBox(data []byte, fn func(typ string, body []byte)) {
	for len(data) >= 8 {
		size := uint64(binary.BigEndian.Uint32(data[:4]))
		typ := string(data[4:8])
		header := uint64(8)
		switch size {
		case 0: // to the end of the enclosing data
			size = uint64(len(data))
		case 1: // a 64-bit size follows the type
			if len(data) < 16 {
				return
			}
			size, header = binary.BigEndian.Uint64(data[8:16]), 16
		}
		if size < header || size > uint64(len(data)) {
			return
		}
		fn(typ, data[header:size])
		data = data[size:]
	}
}
