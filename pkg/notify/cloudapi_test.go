package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/notify/notifytest"
)

const pnid = "106540352242922"

func TestCloudAPISendShapes(t *testing.T) {
	g := notifytest.NewGraph(t)
	api := notify.NewCloudAPI(g.URL, notifytest.GraphToken, nil)
	ctx := context.Background()
	msgs := []notify.WAMessage{
		{To: "6281234567890", Text: "Halo", ReplyTo: "wamid.IN1"},
		{To: "6281234567890", Text: "Pilih", Buttons: []notify.WAButton{{ID: "s3:download", Title: "Download Sertifikat"}}},
		{To: "6281234567890", Text: "Menu", List: &notify.WAList{Button: "Pilih", Rows: []notify.WARow{{ID: "s1:sertifikat", Title: "Sertifikat Vaksin"}}}},
		{To: "6281234567890", Document: &notify.WADocument{MediaID: "m1", Filename: "sertifikat.pdf"}},
		{To: "6281234567890", Template: &notify.WATemplate{Name: "aduan_otp", Language: "id", BodyParams: []string{"123456"}, ButtonParam: "123456"}},
	}
	for _, m := range msgs {
		id, err := api.Send(ctx, pnid, m)
		if err != nil || !strings.HasPrefix(id, "wamid.") {
			t.Fatalf("Send = %q, %v", id, err)
		}
	}
	want := []string{
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567890","type":"text","context":{"message_id":"wamid.IN1"},"text":{"body":"Halo","preview_url":false}}`,
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567890","type":"interactive","interactive":{"type":"button","body":{"text":"Pilih"},"action":{"buttons":[{"type":"reply","reply":{"id":"s3:download","title":"Download Sertifikat"}}]}}}`,
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567890","type":"interactive","interactive":{"type":"list","body":{"text":"Menu"},"action":{"button":"Pilih","sections":[{"rows":[{"id":"s1:sertifikat","title":"Sertifikat Vaksin"}]}]}}}`,
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567890","type":"document","document":{"id":"m1","filename":"sertifikat.pdf"}}`,
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567890","type":"template","template":{"name":"aduan_otp","language":{"code":"id"},"components":[{"type":"body","parameters":[{"type":"text","text":"123456"}]},{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"123456"}]}]}}`,
	}
	sent := g.Sent()
	if len(sent) != len(want) {
		t.Fatalf("%d sends, want %d", len(sent), len(want))
	}
	for i, s := range sent {
		if s.PhoneNumberID != pnid || s.Raw != want[i] {
			t.Errorf("send %d to %s:\n got %s\nwant %s", i, s.PhoneNumberID, s.Raw, want[i])
		}
	}
}

func TestCloudAPIValidatesBeforeSending(t *testing.T) {
	g := notifytest.NewGraph(t)
	api := notify.NewCloudAPI(g.URL, notifytest.GraphToken, nil)
	_, err := api.Send(context.Background(), pnid, notify.WAMessage{To: "62811", Text: "x",
		Buttons: []notify.WAButton{{ID: "a", Title: "Judul yang jauh lebih panjang dari dua puluh"}}})
	if !errors.Is(err, notify.ErrWAInvalid) || len(g.Sent()) != 0 {
		t.Errorf("Send = %v with %d calls; want ErrWAInvalid and nothing sent", err, len(g.Sent()))
	}
}

func TestCloudAPIErrors(t *testing.T) {
	g := notifytest.NewGraph(t)
	api := notify.NewCloudAPI(g.URL, notifytest.GraphToken, nil)
	g.Answer(notifytest.GraphAnswer{Status: 400, Code: notify.WAErrOutsideWindow, Title: "Re-engagement message"},
		notifytest.GraphAnswer{Status: 400, Code: notify.WAErrUndeliverable, Title: "Message undeliverable"})
	for _, code := range []int{notify.WAErrOutsideWindow, notify.WAErrUndeliverable} {
		_, err := api.Send(context.Background(), pnid, notify.WAMessage{To: "6281234567890", Text: "Halo"})
		var we *notify.WAError
		if !errors.As(err, &we) || we.Code != code || we.HTTPStatus != 400 || we.Title == "" {
			t.Errorf("Send = %#v, want WAError %d", err, code)
		}
	}
	bad := notify.NewCloudAPI(g.URL, "wrong-token", nil)
	if _, err := bad.Send(context.Background(), pnid, notify.WAMessage{To: "1", Text: "x"}); notify.WACode(err) != 190 {
		t.Errorf("wrong token: %v, want code 190", err)
	}
}

func TestCloudAPIMediaUploadAndRead(t *testing.T) {
	g := notifytest.NewGraph(t)
	api := notify.NewCloudAPI(g.URL, notifytest.GraphToken, nil)
	ctx := context.Background()
	photo := []byte("\xff\xd8\xff KTP bytes")
	g.AddMedia("1479537139650973", photo)
	data, ct, err := api.Media(ctx, "1479537139650973")
	if err != nil || !bytes.Equal(data, photo) || ct != "image/jpeg" {
		t.Fatalf("Media = %q, %q, %v", data, ct, err)
	}
	if _, _, err := api.Media(ctx, "unknown"); notify.WACode(err) != 100 {
		t.Errorf("unknown media: %v", err)
	}
	id, err := api.Upload(ctx, pnid, "sertifikat.pdf", "application/pdf", []byte("%PDF-1.7"))
	if err != nil || id == "" {
		t.Fatalf("Upload = %q, %v", id, err)
	}
	if up := g.Uploads(); len(up) != 1 || up[0] != "application/pdf sertifikat.pdf" {
		t.Errorf("uploads %q", up)
	}
	if err := api.MarkRead(ctx, pnid, "wamid.IN1"); err != nil {
		t.Fatal(err)
	}
	if r := g.Reads(); len(r) != 1 || r[0] != "wamid.IN1" {
		t.Errorf("reads %q", r)
	}
}

// smsGateway is an SMS gateway speaking SMSHTTP's contract.
func smsGateway(t *testing.T, status int) (*httptest.Server, *[]map[string]string) {
	var got []map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		if r.URL.Path != "/messages" || r.Header.Get("Authorization") != "Bearer sms-token" ||
			json.NewDecoder(r.Body).Decode(&m) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got = append(got, m)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"id":"sms1"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func TestOTPFallsBackToSMS(t *testing.T) {
	g := notifytest.NewGraph(t)
	sms, got := smsGateway(t, http.StatusAccepted)
	var logs bytes.Buffer
	otp := &notify.WhatsAppOTP{API: notify.NewCloudAPI(g.URL, notifytest.GraphToken, nil),
		SMS: notify.NewSMSHTTP(sms.URL, "sms-token", nil), Log: slog.New(slog.NewTextHandler(&logs, nil))}
	ctx := context.Background()
	via, err := otp.SendOTP(ctx, pnid, "0812-3456-7890", "482913")
	if err != nil || via != "whatsapp" {
		t.Fatalf("SendOTP = %q, %v", via, err)
	}
	s := g.Sent()[0]
	if s.Type() != "template" || s.To() != "6281234567890" || !strings.Contains(s.Raw, `"name":"aduan_otp"`) ||
		!strings.Contains(s.Raw, `"code":"id"`) || strings.Count(s.Raw, "482913") != 2 {
		t.Errorf("otp template %s", s.Raw)
	}
	g.Answer(notifytest.GraphAnswer{Status: 400, Code: notify.WAErrUndeliverable, Title: "Message undeliverable"})
	via, err = otp.SendOTP(ctx, pnid, "+62 812 3456 7890", "771204")
	if err != nil || via != "sms" {
		t.Fatalf("SendOTP after 131026 = %q, %v", via, err)
	}
	if len(*got) != 1 || (*got)[0]["to"] != "+6281234567890" || !strings.Contains((*got)[0]["text"], "771204") {
		t.Errorf("sms %v", *got)
	}
	if strings.Contains(logs.String(), "771204") || strings.Contains(logs.String(), "482913") {
		t.Errorf("a code was logged: %s", logs.String())
	}
	g.Answer(notifytest.GraphAnswer{Status: 400, Code: 131009, Title: "Parameter value is not valid"})
	if _, err := otp.SendOTP(ctx, pnid, "081234567890", "1"); notify.WACode(err) != 131009 || len(*got) != 1 {
		t.Errorf("another refusal: %v, %d sms; want the error and no sms", err, len(*got))
	}
}

func TestSMSHTTPRefusal(t *testing.T) {
	sms, _ := smsGateway(t, http.StatusUnprocessableEntity)
	err := notify.NewSMSHTTP(sms.URL, "sms-token", nil).SendSMS(context.Background(), "+6281234567890", "x")
	if !errors.Is(err, notify.ErrPermanent) {
		t.Errorf("4xx: %v, want ErrPermanent", err)
	}
}
