package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

// DefaultGraphURL is the Graph API version Aduan speaks.
const DefaultGraphURL = "https://graph.facebook.com/v23.0"

// maxMedia bounds an inbound media download: WhatsApp's own limit for
// documents is 100 MB.
const maxMedia = 100 << 20

// CloudAPI is the WhatsApp Cloud API over net/http: a WhatsAppAPI.
type CloudAPI struct {
	base  string
	token string
	http  *http.Client
}

// NewCloudAPI returns a client of the Graph API at baseURL (DefaultGraphURL
// when empty) with the access token.
func NewCloudAPI(baseURL, token string, client *http.Client) *CloudAPI {
	if baseURL == "" {
		baseURL = DefaultGraphURL
	}
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	return &CloudAPI{base: strings.TrimRight(baseURL, "/"), token: token, http: client}
}

// Send sends m from the number phoneNumberID and returns its wamid. m is
// validated first: a message breaking WhatsApp's limits is ErrWAInvalid
// and nothing is sent.
func (c *CloudAPI) Send(ctx context.Context, phoneNumberID string, m WAMessage) (string, error) {
	if err := m.Validate(); err != nil {
		return "", err
	}
	var out struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := c.postJSON(ctx, phoneNumberID+"/messages", wireOf(m), &out); err != nil {
		return "", err
	}
	if len(out.Messages) == 0 || out.Messages[0].ID == "" {
		return "", fmt.Errorf("whatsapp: send answered without a message id")
	}
	return out.Messages[0].ID, nil
}

// MarkRead marks the inbound message wamid read.
func (c *CloudAPI) MarkRead(ctx context.Context, phoneNumberID, wamid string) error {
	return c.postJSON(ctx, phoneNumberID+"/messages",
		map[string]string{"messaging_product": "whatsapp", "status": "read", "message_id": wamid}, nil)
}

// Upload stores data as media of phoneNumberID and returns its id.
func (c *CloudAPI) Upload(ctx context.Context, phoneNumberID, filename, contentType string, data []byte) (string, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("messaging_product", "whatsapp")
	_ = w.WriteField("type", contentType)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", contentType)
	part, err := w.CreatePart(h)
	if err == nil {
		_, err = part.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, http.MethodPost, c.base+"/"+url.PathEscape(phoneNumberID)+"/media", w.FormDataContentType(), &body, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", fmt.Errorf("whatsapp: upload answered without a media id")
	}
	return out.ID, nil
}

// Media downloads inbound media: its URL first (GET /{media-id}, valid 5
// minutes), then the bytes, both with the bearer token.
func (c *CloudAPI) Media(ctx context.Context, mediaID string) ([]byte, string, error) {
	var meta struct {
		URL      string `json:"url"`
		MimeType string `json:"mime_type"`
		FileSize int64  `json:"file_size"`
	}
	if err := c.do(ctx, http.MethodGet, c.base+"/"+url.PathEscape(mediaID), "", nil, &meta); err != nil {
		return nil, "", err
	}
	if meta.URL == "" {
		return nil, "", fmt.Errorf("whatsapp: media %s has no url", mediaID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, meta.URL, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("whatsapp: download media %s: %w", mediaID, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, "", graphError(res)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, maxMedia+1))
	if err != nil {
		return nil, "", fmt.Errorf("whatsapp: download media %s: %w", mediaID, err)
	}
	if len(data) > maxMedia {
		return nil, "", fmt.Errorf("whatsapp: media %s is over %d bytes", mediaID, maxMedia)
	}
	if meta.FileSize > 0 && int64(len(data)) != meta.FileSize {
		return nil, "", fmt.Errorf("whatsapp: media %s: %d bytes of %d", mediaID, len(data), meta.FileSize)
	}
	ct := meta.MimeType
	if ct == "" {
		ct = res.Header.Get("Content-Type")
	}
	return data, ct, nil
}

func (c *CloudAPI) postJSON(ctx context.Context, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	segs := strings.SplitN(path, "/", 2)
	return c.do(ctx, http.MethodPost, c.base+"/"+url.PathEscape(segs[0])+"/"+segs[1], "application/json", bytes.NewReader(b), out)
}

func (c *CloudAPI) do(ctx context.Context, method, u, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("whatsapp: %s %s: %w", method, req.URL.Path, err)
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return graphError(res)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(out); err != nil {
		return fmt.Errorf("whatsapp: %s %s: answer: %w", method, req.URL.Path, err)
	}
	return nil
}

// graphError reads the Graph API's error envelope into a *WAError; an
// answer without one keeps its HTTP status (code 0).
func graphError(res *http.Response) error {
	var env struct {
		Error struct {
			Message      string `json:"message"`
			Type         string `json:"type"`
			Code         int    `json:"code"`
			ErrorSubcode int    `json:"error_subcode"`
			ErrorData    struct {
				Details string `json:"details"`
			} `json:"error_data"`
			FBTraceID string `json:"fbtrace_id"`
		} `json:"error"`
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	e := &WAError{HTTPStatus: res.StatusCode, Title: http.StatusText(res.StatusCode)}
	if json.Unmarshal(b, &env) == nil && env.Error.Code != 0 {
		// Meta's message is "(#131047) Re-engagement message": the title
		// after the code; the details say more.
		e.Code, e.Title, e.Message = env.Error.Code, env.Error.Message, env.Error.ErrorData.Details
		if rest, ok := strings.CutPrefix(e.Title, "(#"); ok {
			if _, t, ok := strings.Cut(rest, ") "); ok {
				e.Title = t
			}
		}
		if e.Message == "" {
			e.Message = env.Error.Type
		}
		if env.Error.FBTraceID != "" {
			e.Message += " (fbtrace_id " + env.Error.FBTraceID + ")"
		}
	}
	return e
}
