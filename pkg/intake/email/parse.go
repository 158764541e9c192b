// Package email turns the raw mail in the help desk's mailboxes into the
// normalised shape the Ingester stores.
package email

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
	"golang.org/x/text/encoding/charmap"
)

// LoopHeader is the header Aduan puts on its own mail; mail carrying it is
// never answered.
const LoopHeader = "X-Aduan-Loop"

// maxDepth bounds how deep forwarded mails inside mails are unpacked, so a
// mail nesting itself cannot make parsing run away.
const maxDepth = 3

// maxWarnings keeps a mail with thousands of bad base64 characters from
// burying the ticket under near-identical warnings.
const maxWarnings = 20

// Mail is one parsed email, normalised for the Ingester.
type Mail struct {
	MessageID   string    // without angle brackets; "" when the mail has none
	InReplyTo   []string  // ids without brackets
	References  []string  // ids without brackets, oldest first
	From        Address   // Address lowercased
	ReplyTo     Address   // zero when absent
	Subject     string    // decoded (RFC 2047)
	Date        time.Time // zero when missing or unparseable
	Text        string    // the plain text, or the HTML turned to text when there is none; forwarded mail's body included
	HTML        string    // the HTML part sanitised, without remote images; "" when none
	Attachments []Part    // attachments and inline images, in order
	Warnings    []string  // enmime's complaints about broken MIME, so agents can see why text may be odd
	Automatic   string    // why the mail is automatic (e.g. "auto-submitted", "bounce"); "" for a person's mail
	Bounce      *Bounce   // set for a delivery status notification
	Size        int       // bytes of the raw mail
}

// Address is a mailbox as written in a header.
type Address struct {
	Name    string
	Address string
}

// Part is one file carried by a mail: an attachment or an inline image.
type Part struct {
	Filename    string
	ContentType string
	ContentID   string // without angle brackets; what cid: URLs in the HTML name
	Inline      bool
	Content     []byte
}

// Bounce is what a delivery status notification (multipart/report;
// report-type=delivery-status) says about the mail it returns.
type Bounce struct {
	OriginalMessageID string // of the returned mail, without brackets
	Recipient         string // the address that failed
	Status            string // e.g. 5.1.1
	Action            string // e.g. failed, delayed
}

// Failed reports whether the report says the mail will never arrive: its
// Action is "failed", or it gives no Action (or one RFC 3464 does not know)
// and a permanent 5.x.x Status. A delayed delivery may still succeed, and
// "delivered", "relayed" and "expanded" report success, so none of them
// may mark our message failed.
func (b *Bounce) Failed() bool {
	if b == nil {
		return false
	}
	switch b.Action {
	case "failed":
		return true
	case "delayed", "delivered", "relayed", "expanded":
		return false
	}
	return strings.HasPrefix(b.Status, "5.")
}

// Parse reads a raw RFC 5322 mail. It fails only when nothing usable can be
// read; broken MIME still yields a Mail with Warnings.
func Parse(raw []byte) (*Mail, error) {
	return (&parser{minLift: liftMin}).parse(raw, 0)
}

// parser reads mails. One that is kept (the poller keeps one per taker)
// decodes each mail's files into the same memory, so a Mail it returned is
// good only until its next call.
type parser struct {
	minLift int    // the smallest base64 file lifted out before enmime reads the mail (see lift.go)
	slab    []byte // where lifted files are decoded
}

// keepMax is the most memory a kept parser or buffer holds on to between
// mails: one unusually large mail should not stay resident.
const keepMax = 4 << 20

// SourceID is the mail's id for deduplication: "<message-id>" when present,
// else "sha256:<hex of raw>" — never empty, so a unique index can hold it.
func SourceID(m *Mail, raw []byte) string {
	if m != nil && m.MessageID != "" {
		return "<" + m.MessageID + ">"
	}
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func newParser() *enmime.Parser {
	return enmime.NewParser(
		// A part that cannot be read is skipped with an error rather than
		// losing the whole mail.
		enmime.SkipMalformedParts(true),
		enmime.MultipartWOBoundaryAsSinglePart(true),
		enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
		enmime.MaxStoredPartErrors(5),
		// Our own HTMLToText keeps table rows on one line, which the field
		// extraction relies on.
		enmime.DisableTextConversion(true),
	)
}

// parse reads raw, a mail itself (depth 0) or one forwarded inside it.
func (ps *parser) parse(raw []byte, depth int) (*Mail, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, errors.New("email: empty mail")
	}
	var slab []byte
	if depth == 0 { // a forwarded mail's files go with the outer mail's
		slab = ps.slab[:0]
	}
	skeleton, lifted := lift(raw, ps.minLift, slab)
	if depth == 0 && cap(lifted.slab) <= keepMax {
		ps.slab = lifted.slab
	}
	env, err := newParser().ReadEnvelope(bytes.NewReader(skeleton))
	if err != nil && len(lifted.bodies) > 0 {
		lifted = &lifter{}
		env, err = newParser().ReadEnvelope(bytes.NewReader(raw))
	}
	if err != nil {
		// enmime's header reader is more forgiving than net/mail's, so when
		// it fails there are no headers to thread or dedupe by.
		return nil, fmt.Errorf("email: unreadable mail: %w", err)
	}
	m := &Mail{Size: len(raw)}
	readHeaders(m, env.Root.Header)
	m.Text = cleanText(env.Text)
	if env.HTML != "" {
		html := cleanText(env.HTML)
		m.HTML = sanitizeHTML(html)
		if strings.TrimSpace(m.Text) == "" {
			m.Text = HTMLToText(html)
		}
	}
	m.Bounce = readBounce(env.Root)
	if m.Bounce != nil && m.Bounce.OriginalMessageID == "" && len(m.InReplyTo) > 0 {
		// Some MTAs return no headers but thread the bounce onto the mail.
		m.Bounce.OriginalMessageID = m.InReplyTo[0]
	}
	m.Automatic = automatic(env.Root.Header, m)
	for _, e := range env.Errors {
		if e.Name != enmime.ErrorPlainTextFromHTML { // an HTML-only mail is not broken
			m.addWarning(e.Error())
		}
	}
	for _, p := range env.Root.DepthMatchAll(func(*enmime.Part) bool { return true }) {
		if body, ok := lifted.body(p.Header); ok {
			p.Content = body
		}
		m.addPart(ps, p, depth)
	}
	return m, nil
}

// readHeaders cleans every value it keeps: ids and addresses end up in the
// database as much as the subject does.
func readHeaders(m *Mail, h textproto.MIMEHeader) {
	m.MessageID = firstValue(messageIDs(cleanText(header(h, "Message-ID"))))
	m.InReplyTo = messageIDs(cleanText(header(h, "In-Reply-To")))
	m.References = messageIDs(cleanText(header(h, "References")))
	m.From = parseAddress(header(h, "From"))
	m.ReplyTo = parseAddress(header(h, "Reply-To"))
	// Cleaned before decoding too: the decoder turns raw 8-bit bytes into
	// U+FFFD, losing the windows-1252 text cleanText would read in them.
	m.Subject = cleanText(strings.TrimSpace(enmime.DecodeRFC2047(cleanText(header(h, "Subject")))))
	if d, err := mail.ParseDate(header(h, "Date")); err == nil {
		m.Date = d
	}
}

// addPart files p under the mail's attachments when it is a file rather
// than body text or report machinery; a forwarded mail is unpacked so its
// text and photos reach the ticket.
func (m *Mail) addPart(ps *parser, p *enmime.Part, depth int) {
	ct := p.ContentType
	switch {
	case strings.HasPrefix(ct, "multipart/"):
		return
	case ct == "message/rfc822" || ct == "message/global":
		if m.Bounce != nil {
			return // the returned mail is our own
		}
		if depth < maxDepth {
			if inner, err := ps.parse(p.Content, depth+1); err == nil {
				m.addForwarded(inner)
				return
			}
		}
	case p.Disposition == "attachment":
	case ct == "":
		// RFC 2045 reads a part without a usable Content-Type as plain text,
		// which enmime leaves out of the body (or files a lone one as data).
		if p.Parent != nil || strings.TrimSpace(m.Text) == "" {
			m.Text = strings.TrimLeft(m.Text+"\n"+cleanText(string(p.Content)), "\n")
		}
		return
	case ct == "text/plain" || ct == "text/html",
		ct == "message/delivery-status", ct == "message/global-delivery-status",
		ct == "text/rfc822-headers", ct == "message/global-headers":
		return
	}
	m.Attachments = append(m.Attachments, Part{
		Filename:    cleanText(p.FileName),
		ContentType: cleanText(ct),
		ContentID:   cleanText(p.ContentID),
		// Images in multipart/related often carry only a Content-ID.
		Inline:  p.Disposition == "inline" || (p.Disposition == "" && p.ContentID != ""),
		Content: p.Content,
	})
}

func (m *Mail) addForwarded(inner *Mail) {
	from := inner.From.Address
	if inner.From.Name != "" {
		from = fmt.Sprintf("%s <%s>", inner.From.Name, inner.From.Address)
	}
	m.Text = strings.TrimRight(m.Text, "\n") + "\n\n---------- Forwarded message ----------\n" +
		"From: " + from + "\nSubject: " + inner.Subject + "\n\n" + inner.Text
	m.Attachments = append(m.Attachments, inner.Attachments...)
	for _, w := range inner.Warnings {
		m.addWarning("forwarded mail: " + w)
	}
}

func (m *Mail) addWarning(w string) {
	w = cleanText(w) // enmime quotes the broken input in some of its errors
	for _, seen := range m.Warnings {
		if seen == w {
			return
		}
	}
	if len(m.Warnings) < maxWarnings {
		m.Warnings = append(m.Warnings, w)
	}
}

// automatic says why m must never be answered, in the order of how sure
// the sign is; "" means a person wrote it.
func automatic(h textproto.MIMEHeader, m *Mail) string {
	has := func(name string) bool { _, ok := headerValues(h, name); return ok }
	token := func(name string) string {
		v, _, _ := strings.Cut(header(h, name), ";")
		return strings.ToLower(strings.TrimSpace(v))
	}
	local, _, _ := strings.Cut(m.From.Address, "@")
	switch {
	case m.Bounce != nil:
		return "bounce"
	case has(LoopHeader):
		return "loop"
	case has("Auto-Submitted") && token("Auto-Submitted") != "no":
		return "auto-submitted"
	case token("Precedence") == "bulk" || token("Precedence") == "junk" || token("Precedence") == "list":
		return "precedence"
	case has("List-Id"):
		return "list-id"
	case has("X-Autoreply") || has("X-Autorespond"):
		return "x-autoreply"
	case has("X-Auto-Response-Suppress"):
		return "x-auto-response-suppress"
	case emptyReturnPath(h):
		return "empty-return-path"
	case local == "mailer-daemon" || local == "postmaster":
		return "mailer-daemon"
	}
	return ""
}

// emptyReturnPath reports a null reverse-path, which RFC 5321 reserves for
// notifications that must not be answered.
func emptyReturnPath(h textproto.MIMEHeader) bool {
	values, ok := headerValues(h, "Return-Path")
	if !ok {
		return false
	}
	for _, v := range values {
		v = strings.Trim(strings.TrimSpace(v), "<> \t")
		if v == "" {
			return true
		}
	}
	return false
}

// readBounce reads a delivery status notification; nil when root is not one.
func readBounce(root *enmime.Part) *Bounce {
	// enmime does not keep the Content-Type parameters of a parsed part.
	_, params, _, err := mediatype.Parse(header(root.Header, "Content-Type"))
	if err != nil || root.ContentType != "multipart/report" ||
		!strings.EqualFold(params["report-type"], "delivery-status") {
		return nil
	}
	b := &Bounce{}
	for _, p := range root.DepthMatchAll(func(*enmime.Part) bool { return true }) {
		switch p.ContentType {
		case "message/delivery-status", "message/global-delivery-status":
			readDeliveryStatus(b, p.Content)
		case "text/rfc822-headers", "message/rfc822", "message/global-headers", "message/global":
			if b.OriginalMessageID != "" {
				continue
			}
			// Only the header block matters; a blank line ends it for both.
			data := append(bytes.TrimLeft(bytes.Clone(p.Content), "\r\n"), "\r\n\r\n"...)
			if msg, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
				b.OriginalMessageID = firstValue(messageIDs(cleanText(msg.Header.Get("Message-Id"))))
			}
		}
	}
	return b
}

// readDeliveryStatus takes the first recipient's fields from a
// message/delivery-status body: header-like blocks separated by blank
// lines, the per-message block first (RFC 3464).
func readDeliveryStatus(b *Bounce, data []byte) {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(bytes.Clone(data), "\r\n\r\n"...))))
	for {
		h, err := r.ReadMIMEHeader()
		if h.Get("Action") != "" || h.Get("Final-Recipient") != "" {
			rcpt := h.Get("Final-Recipient")
			if rcpt == "" {
				rcpt = h.Get("Original-Recipient")
			}
			if _, addr, ok := strings.Cut(rcpt, ";"); ok { // "rfc822; user@example.com"
				rcpt = addr
			}
			b.Recipient = cleanText(strings.ToLower(strings.Trim(strings.TrimSpace(rcpt), "<>")))
			b.Status = cleanText(strings.TrimSpace(h.Get("Status")))
			b.Action = cleanText(strings.ToLower(strings.TrimSpace(h.Get("Action"))))
			return
		}
		if err != nil {
			return
		}
	}
}

// headerValues finds a header whatever the case of its name: mailers spell
// Message-ID, Message-Id and MESSAGE-ID alike.
func headerValues(h textproto.MIMEHeader, name string) ([]string, bool) {
	if v, ok := h[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return v, true
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

func header(h textproto.MIMEHeader, name string) string {
	v, _ := headerValues(h, name)
	return firstValue(v)
}

func firstValue(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// messageIDs reads the ids of a Message-ID, In-Reply-To or References
// header. Ids are normally in angle brackets; some mailers leave them off.
func messageIDs(v string) []string {
	var ids []string
	for rest := v; ; {
		_, after, ok := strings.Cut(rest, "<")
		if !ok {
			break
		}
		id, tail, ok := strings.Cut(after, ">")
		if !ok {
			break
		}
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
		rest = tail
	}
	if len(ids) == 0 {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			if strings.Contains(f, "@") {
				ids = append(ids, f)
			}
		}
	}
	return ids
}

// parseAddress reads the first mailbox of an address header, keeping what
// it can when the header is malformed (e.g. "MAILER-DAEMON" with no domain).
func parseAddress(v string) Address {
	v = cleanText(strings.TrimSpace(v)) // a NUL would make the parser give up on the name
	if v == "" {
		return Address{}
	}
	if list, err := enmime.ParseAddressList(v); err == nil && len(list) > 0 {
		// The name is cleaned again: RFC 2047 words can encode anything.
		return Address{Name: cleanText(list[0].Name), Address: strings.ToLower(list[0].Address)}
	}
	addr := v
	if _, after, ok := strings.Cut(v, "<"); ok {
		addr, _, _ = strings.Cut(after, ">")
	}
	return Address{Address: strings.ToLower(strings.TrimSpace(addr))}
}

// cleanText makes s fit for a PostgreSQL text column. Bytes that are not
// UTF-8 and C1 control characters both come from windows-1252 text labelled
// as something else (often ISO-8859-1), so both are read as windows-1252.
// NUL bytes are dropped: PostgreSQL refuses text holding them (SQLSTATE
// 22021), which would leave the whole mail unstorable, and no one writes
// one on purpose.
func cleanText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 && !strings.ContainsFunc(s, isC1) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0: // dropped
		case r == utf8.RuneError && size == 1:
			b.WriteRune(charmap.Windows1252.DecodeByte(s[i]))
		case isC1(r):
			b.WriteRune(charmap.Windows1252.DecodeByte(byte(r)))
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }
