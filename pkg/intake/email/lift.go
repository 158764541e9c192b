package email

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"net/textproto"
	"strconv"
	"strings"
)

// Lifting the photos out before enmime reads a mail.
//
// enmime scans MIME boundaries a byte at a time: on a complaint carrying
// three 200 KB photos that is about 15 ms of CPU, most of what the poller
// spends on a mail. Yet enmime only copies such a photo's base64 out. So the
// large base64 leaves of a well-formed multipart mail are cut out before
// enmime sees it, each marked by a header of ours, and decoded here with the
// standard library (which reads a line at a time); enmime still reads the
// headers, the text, the structure and everything unusual. A part whose
// boundary or base64 looks the least bit odd is left in place for enmime.

// liftHeader marks where a lifted body was; its value carries a token made
// for each parse, so a mail cannot forge one.
const liftHeader = "X-Aduan-Lifted"

// liftMin is the smallest body worth lifting: below it enmime's cost is
// negligible.
const liftMin = 8 << 10

// lifter cuts large base64 leaves out of a raw mail.
type lifter struct {
	token  string
	min    int
	out    bytes.Buffer
	bodies [][]byte // decoded, in order of their mark's index
	slab   []byte   // the decoded bodies end to end; never grown past its capacity, so bodies stay valid
	room   int      // the capacity the slab needs for every body raw could hold
}

// lift returns raw with its base64 leaves of at least minBody bytes cut
// out, and a lifter that gives their decoded bytes back by mark. Nothing is
// lifted from a mail that is not multipart. The bodies are decoded into
// slab when it has room for them all, else into a new one.
func lift(raw []byte, minBody int, slab []byte) ([]byte, *lifter) {
	var token [8]byte
	_, _ = rand.Read(token[:]) // never fails (crypto/rand)
	l := &lifter{token: hex.EncodeToString(token[:]), min: minBody, slab: slab[:0],
		room: base64.StdEncoding.DecodedLen(len(raw))}
	l.out.Grow(min(len(raw), 64<<10))
	l.entity(raw, 0)
	if len(l.bodies) == 0 {
		return raw, l
	}
	return l.out.Bytes(), l
}

// body returns the decoded bytes of a part enmime read from the skeleton,
// when it is one that was lifted.
func (l *lifter) body(h textproto.MIMEHeader) ([]byte, bool) {
	values, _ := headerValues(h, liftHeader)
	for _, v := range values { // the mail may carry one of its own
		tok, idx, ok := strings.Cut(v, "-")
		if !ok || tok != l.token {
			continue
		}
		if i, err := strconv.Atoi(idx); err == nil && i >= 0 && i < len(l.bodies) {
			return l.bodies[i], true
		}
	}
	return nil, false
}

// entity writes e, a header block and its body, to the skeleton.
func (l *lifter) entity(e []byte, depth int) {
	headerEnd, bodyStart := splitHeader(e)
	if headerEnd < 0 || depth > maxLiftDepth {
		l.out.Write(e)
		return
	}
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(e[:bodyStart]))).ReadMIMEHeader()
	if err != nil {
		l.out.Write(e)
		return
	}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || len(h.Values("Content-Type")) != 1 {
		l.out.Write(e)
		return
	}
	body := e[bodyStart:]
	switch {
	case strings.HasPrefix(mediaType, "multipart/") && params["boundary"] != "":
		l.out.Write(e[:bodyStart])
		l.multipart(body, params["boundary"], depth)
	case depth > 0 && len(body) >= l.min && liftable(mediaType, h):
		decoded, ok := l.decode(body)
		if !ok {
			l.out.Write(e) // enmime cleans what the strict decoder refuses
			return
		}
		eol := "\r\n"
		if !bytes.HasSuffix(e[:headerEnd], []byte("\r\n")) {
			eol = "\n"
		}
		l.out.Write(e[:headerEnd])
		l.out.WriteString(liftHeader + ": " + l.token + "-" + strconv.Itoa(len(l.bodies)) + eol + eol)
		l.bodies = append(l.bodies, decoded)
	default:
		l.out.Write(e)
	}
}

// decode decodes a base64 body onto the end of the slab. The bodies are
// parts of the raw mail, so a slab with room for all of raw decoded never
// has to grow.
func (l *lifter) decode(body []byte) ([]byte, bool) {
	if cap(l.slab) < l.room {
		l.slab = make([]byte, 0, l.room)
	}
	free := l.slab[len(l.slab):cap(l.slab)]
	n, err := base64.StdEncoding.Decode(free, body) // skips CR and LF only
	if err != nil {
		return nil, false
	}
	l.slab = l.slab[:len(l.slab)+n]
	return free[:n:n], true
}

// maxLiftDepth bounds the nesting of multiparts followed.
const maxLiftDepth = 8

// liftable says whether a leaf is a file in base64: not text (enmime
// converts its charset), not a message (it is unpacked), not multipart.
func liftable(mediaType string, h textproto.MIMEHeader) bool {
	if !strings.EqualFold(strings.TrimSpace(h.Get("Content-Transfer-Encoding")), "base64") ||
		len(h.Values("Content-Transfer-Encoding")) != 1 {
		return false
	}
	top, _, _ := strings.Cut(mediaType, "/")
	return top != "text" && top != "message" && top != "multipart"
}

// multipart writes a multipart body to the skeleton, each part through
// entity. A body whose delimiters cannot all be read is copied whole.
func (l *lifter) multipart(body []byte, boundary string, depth int) {
	parts, ok := splitParts(body, boundary)
	if !ok {
		l.out.Write(body)
		return
	}
	pos := 0
	for _, p := range parts {
		l.out.Write(body[pos:p[0]])
		l.entity(body[p[0]:p[1]], depth+1)
		pos = p[1]
	}
	l.out.Write(body[pos:])
}

// splitParts finds the parts of a multipart body (RFC 2046 §5.1.1): each
// is [start, end), after its delimiter line and before the line break that
// belongs to the next. It needs the closing delimiter.
func splitParts(body []byte, boundary string) ([][2]int, bool) {
	delim := []byte("--" + boundary)
	var parts [][2]int
	start := -1 // where the current part began; -1 before the first delimiter
	for from := 0; from < len(body); {
		i := bytes.Index(body[from:], delim)
		if i < 0 {
			return nil, false
		}
		i += from
		from = i + len(delim)
		lineStart := i == 0 || body[i-1] == '\n'
		if !lineStart {
			continue
		}
		rest := body[i+len(delim):]
		closing := bytes.HasPrefix(rest, []byte("--"))
		next := -1
		if !closing {
			j := 0
			for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t') {
				j++
			}
			switch {
			case bytes.HasPrefix(rest[j:], []byte("\r\n")):
				next = i + len(delim) + j + 2
			case bytes.HasPrefix(rest[j:], []byte("\n")):
				next = i + len(delim) + j + 1
			default:
				continue // a longer boundary that starts with this one
			}
		}
		if start >= 0 {
			end := i
			if end > start && body[end-1] == '\n' {
				end--
				if end > start && body[end-1] == '\r' {
					end--
				}
			}
			parts = append(parts, [2]int{start, end})
		}
		if closing {
			return parts, len(parts) > 0
		}
		start = next
	}
	return nil, false
}

// splitHeader finds the blank line ending e's header block: headerEnd is
// where it begins (after the last header's line break), bodyStart just
// after it. Both are -1 when there is none.
func splitHeader(e []byte) (headerEnd, bodyStart int) {
	for i := 0; i < len(e); {
		j := bytes.IndexByte(e[i:], '\n')
		if j < 0 {
			return -1, -1
		}
		line := e[i : i+j+1]
		if len(line) == 1 || (len(line) == 2 && line[0] == '\r') {
			return i, i + len(line)
		}
		i += j + 1
	}
	return -1, -1
}
