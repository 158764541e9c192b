package documents

import (
	"bytes"
	"strconv"
)

// firstPDFImage returns the bytes of the first JPEG image (a DCTDecode
// stream) in a PDF, or the reason there is none to check.
//
// It is a careful scan, not a PDF parser: people send a scan or a phone
// "print to PDF" of one photo, and for that the image XObject's dictionary
// and its stream are all that matter. Image XObjects are streams, and
// streams never live inside compressed object streams, so they can be found
// in the file's bytes as written. What the scan does not do: decrypt,
// decode Flate/JPX/CCITT/JBIG2 images, or render vector pages.
func firstPDFImage(data []byte) ([]byte, string) {
	if bytes.Index(head(data, 1024), []byte("%PDF-")) < 0 {
		return nil, ReasonPDFCorrupt
	}
	// A complete PDF ends with %%EOF, give or take trailing whitespace or
	// junk that some writers append; a truncated upload does not.
	if !bytes.Contains(tail(data, 2048), []byte("%%EOF")) {
		return nil, ReasonPDFCorrupt
	}
	if bytes.Contains(data, []byte("/Encrypt")) {
		return nil, ReasonPDFLocked
	}
	sawImage := false
	for pos := 0; ; {
		i := bytes.Index(data[pos:], []byte("/Subtype"))
		if i < 0 {
			break
		}
		at := pos + i
		pos = at + len("/Subtype")
		if !hasName(data, skipSpace(data, pos), "/Image") {
			continue
		}
		sawImage = true
		if jpg, ok := dctStream(data, at); ok {
			return jpg, ""
		}
	}
	if sawImage {
		return nil, ReasonPDFPhoto
	}
	return nil, ReasonPDFNoPhoto
}

// dctStream returns the stream of the image dictionary that contains the
// byte offset at, when its only filter is DCTDecode and the stream is a JPEG.
func dctStream(data []byte, at int) ([]byte, bool) {
	// Dictionaries are small; looking back a bounded window keeps a PDF
	// with thousands of objects from costing quadratic time.
	from := max(0, at-64<<10)
	objStart := bytes.LastIndex(data[from:at], []byte(" obj"))
	if objStart < 0 {
		return nil, false
	}
	objStart += from
	if bytes.Contains(data[objStart:at], []byte("endobj")) {
		return nil, false
	}
	rel := bytes.Index(data[at:], []byte("stream"))
	if rel < 0 {
		return nil, false
	}
	kw := at + rel
	if bytes.Contains(data[at:kw], []byte("endobj")) {
		return nil, false // an image dictionary without a stream of its own
	}
	dict := data[objStart:kw]
	if !onlyDCT(dict) {
		return nil, false
	}
	start := kw + len("stream")
	switch {
	case bytes.HasPrefix(data[start:], []byte("\r\n")):
		start += 2
	case bytes.HasPrefix(data[start:], []byte("\n")), bytes.HasPrefix(data[start:], []byte("\r")):
		start++
	}
	var stream []byte
	if n, ok := streamLength(data, dict); ok && n > 0 && start+n <= len(data) {
		stream = data[start : start+n]
	} else if end := bytes.Index(data[start:], []byte("endstream")); end >= 0 {
		stream = bytes.TrimRight(data[start:start+end], "\r\n")
	}
	if len(stream) < 4 || stream[0] != 0xFF || stream[1] != 0xD8 {
		return nil, false
	}
	return stream, true
}

// onlyDCT reports whether the dictionary's /Filter is DCTDecode alone,
// written as a name or a one-element array. A chain such as
// [/FlateDecode /DCTDecode] would need inflating first: not supported.
func onlyDCT(dict []byte) bool {
	i := bytes.Index(dict, []byte("/Filter"))
	if i < 0 {
		return false
	}
	p := skipSpace(dict, i+len("/Filter"))
	if p < len(dict) && dict[p] == '[' {
		end := bytes.IndexByte(dict[p:], ']')
		if end < 0 {
			return false
		}
		names := bytes.Fields(bytes.ReplaceAll(dict[p+1:p+end], []byte("/"), []byte(" /")))
		return len(names) == 1 && isDCT(names[0])
	}
	return isDCT(readName(dict, p))
}

func isDCT(name []byte) bool {
	return string(name) == "/DCTDecode" || string(name) == "/DCT"
}

// streamLength reads /Length, direct ("/Length 1234") or indirect
// ("/Length 12 0 R", then the value of object 12).
func streamLength(data, dict []byte) (int, bool) {
	i := bytes.Index(dict, []byte("/Length"))
	if i < 0 {
		return 0, false
	}
	p := skipSpace(dict, i+len("/Length"))
	n, p, ok := readInt(dict, p)
	if !ok {
		return 0, false
	}
	q := skipSpace(dict, p)
	gen, q, isRef := readInt(dict, q)
	if isRef {
		q = skipSpace(dict, q)
		isRef = q < len(dict) && dict[q] == 'R'
	}
	if !isRef {
		return n, true
	}
	header := []byte(strconv.Itoa(n) + " " + strconv.Itoa(gen) + " obj")
	for from := 0; ; {
		j := bytes.Index(data[from:], header)
		if j < 0 {
			return 0, false
		}
		j += from
		from = j + len(header)
		if j > 0 && !isSpace(data[j-1]) {
			continue // "112 0 obj" when looking for "12 0 obj"
		}
		v, _, ok := readInt(data, skipSpace(data, from))
		return v, ok
	}
}

func hasName(b []byte, p int, name string) bool {
	return string(readName(b, p)) == name
}

// readName reads a PDF name (/Name) starting at p.
func readName(b []byte, p int) []byte {
	if p >= len(b) || b[p] != '/' {
		return nil
	}
	e := p + 1
	for e < len(b) && !isSpace(b[e]) && !bytes.ContainsRune([]byte("/[]<>()%{}"), rune(b[e])) {
		e++
	}
	return b[p:e]
}

func readInt(b []byte, p int) (int, int, bool) {
	e := p
	for e < len(b) && b[e] >= '0' && b[e] <= '9' && e-p < 12 {
		e++
	}
	if e == p {
		return 0, p, false
	}
	n, err := strconv.Atoi(string(b[p:e]))
	return n, e, err == nil
}

func skipSpace(b []byte, p int) int {
	for p < len(b) && isSpace(b[p]) {
		p++
	}
	return p
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
