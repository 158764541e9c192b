package whatsapp_test

import (
	"encoding/hex"
	"errors"
	"reflect"
	"testing"

	"github.com/aduan/aduan/pkg/intake/whatsapp"
)

func TestVerifySubscription(t *testing.T) {
	for _, tc := range []struct {
		name, configured, mode, token string
		ok                            bool
	}{
		{"right token", "rahasia-verif", "subscribe", "rahasia-verif", true},
		{"wrong token", "rahasia-verif", "subscribe", "rahasia-verig", false},
		{"prefix of the token", "rahasia-verif", "subscribe", "rahasia", false},
		{"wrong mode", "rahasia-verif", "unsubscribe", "rahasia-verif", false},
		{"nothing configured", "", "subscribe", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := whatsapp.VerifySubscription(tc.configured, tc.mode, tc.token, "1158201444")
			if ok != tc.ok || (ok && got != "1158201444") {
				t.Errorf("got %q, %v; want ok %v", got, ok, tc.ok)
			}
		})
	}
}

func TestValidSignature(t *testing.T) {
	secret := []byte("app-secret")
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	good := "sha256=" + hex.EncodeToString(whatsapp.Sign(secret, body))
	for _, tc := range []struct {
		name   string
		secret []byte
		body   []byte
		header string
		ok     bool
	}{
		{"good", secret, body, good, true},
		{"body changed", secret, append([]byte(body[:len(body)-1]), ' ', '}'), good, false},
		{"other secret", []byte("other"), body, good, false},
		{"missing", secret, body, "", false},
		{"no prefix", secret, body, good[len("sha256="):], false},
		{"sha1", secret, body, "sha1=" + good[len("sha256="):], false},
		{"not hex", secret, body, "sha256=zz", false},
		{"truncated", secret, body, good[:len(good)-2], false},
		{"no secret", nil, body, "sha256=" + hex.EncodeToString(whatsapp.Sign(nil, body)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := whatsapp.ValidSignature(tc.secret, tc.body, tc.header); got != tc.ok {
				t.Errorf("ValidSignature = %v, want %v", got, tc.ok)
			}
		})
	}
}

// Bodies shaped as Meta documents them (Cloud API webhook payloads).
const (
	textBody = `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"6281110500567","phone_number_id":"106540352242922"},
		"contacts":[{"profile":{"name":"Siti Aminah"},"wa_id":"6281234567890","user_id":"ID.13491208655302741918"}],
		"messages":[{"from":"6281234567890","from_user_id":"ID.13491208655302741918","id":"wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA=",
		"timestamp":"1749416383","type":"text","text":{"body":"hai"}}]},"field":"messages"}]}]}`
	buttonBody = `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"6281110500567","phone_number_id":"106540352242922"},
		"contacts":[{"profile":{"name":"Siti"},"wa_id":"6281234567890"}],
		"messages":[{"context":{"from":"6281110500567","id":"wamid.OUT1"},"from":"6281234567890","id":"wamid.IN2",
		"timestamp":"1749416400","type":"interactive","interactive":{"type":"button_reply",
		"button_reply":{"id":"s3:download","title":"Download Sertifikat"}}}]},"field":"messages"}]}]}`
	listBody = `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"6281110500567","phone_number_id":"106540352242922"},
		"messages":[{"from":"6281234567890","id":"wamid.IN3","timestamp":"1749416410","type":"interactive",
		"interactive":{"type":"list_reply","list_reply":{"id":"s1:sertifikat","title":"Sertifikat Vaksin","description":"Unduh sertifikat"}}}]},
		"field":"messages"}]}]}`
	imageBody = `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"6281110500567","phone_number_id":"106540352242922"},
		"messages":[{"from":"6281234567890","id":"wamid.IN4","timestamp":"1749416420","type":"image",
		"image":{"caption":"KTP saya","mime_type":"image/jpeg","sha256":"2x9Yc0b3l8dJd0k=","id":"1479537139650973"}}]},
		"field":"messages"}]}]}`
	failedBody = `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"6281110500567","phone_number_id":"106540352242922"},
		"statuses":[{"id":"wamid.OUT9","status":"failed","timestamp":"1749416500","recipient_id":"6281299990000",
		"errors":[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable",
		"error_data":{"details":"Message could not be delivered"},"href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]},
		{"id":"wamid.OUT8","status":"read","timestamp":"1749416501","recipient_id":"6281234567890",
		"conversation":{"id":"c1","origin":{"type":"service"}},"pricing":{"billable":true,"category":"service"}}]},
		"field":"messages"}]}]}`
	manyBody = `{"object":"whatsapp_business_account","entry":[
		{"id":"A","changes":[
			{"value":{"metadata":{"phone_number_id":"111"},"messages":[
				{"from":"621","id":"wamid.a1","timestamp":"1","type":"text","text":{"body":"satu"}},
				{"from":"622","id":"wamid.a2","timestamp":"2","type":"reaction","reaction":{"message_id":"wamid.x","emoji":"👍"}}]},"field":"messages"},
			{"value":{"metadata":{"phone_number_id":"222"},"statuses":[{"id":"wamid.o1","status":"delivered","timestamp":"3","recipient_id":"623"}]},"field":"messages"}]},
		{"id":"B","changes":[
			{"value":{"metadata":{"phone_number_id":"333"},"messages":[
				{"from":"624","id":"wamid.b1","timestamp":"4","type":"unsupported","errors":[{"code":131051,"title":"Message type unknown"}]},
				{"from":"625","id":"wamid.b2","timestamp":"5","type":"hologram","hologram":{"x":1}}]},"field":"messages"}]}],
		"future_field":{"anything":true}}`
)

func TestParse(t *testing.T) {
	meta := func(c whatsapp.Change) whatsapp.Change {
		c.Field, c.PhoneNumberID, c.DisplayPhone = "messages", "106540352242922", "6281110500567"
		return c
	}
	one := func(id string, c whatsapp.Change) whatsapp.Notification {
		return whatsapp.Notification{Entries: []whatsapp.Entry{{ID: id, Changes: []whatsapp.Change{meta(c)}}}}
	}
	for _, tc := range []struct {
		name string
		body string
		want whatsapp.Notification
	}{
		{"text", textBody, one("102290129340398", whatsapp.Change{
			Contacts: []whatsapp.Contact{{WaID: "6281234567890", UserID: "ID.13491208655302741918", Name: "Siti Aminah"}},
			Messages: []whatsapp.Message{{ID: "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA=", From: "6281234567890",
				FromUser: "ID.13491208655302741918", Timestamp: "1749416383", Type: "text", Text: "hai"}}})},
		{"button_reply", buttonBody, one("102290129340398", whatsapp.Change{
			Contacts: []whatsapp.Contact{{WaID: "6281234567890", Name: "Siti"}},
			Messages: []whatsapp.Message{{ID: "wamid.IN2", From: "6281234567890", Timestamp: "1749416400", Type: "interactive",
				Reply: &whatsapp.Reply{Kind: "button_reply", ID: "s3:download", Title: "Download Sertifikat"}, Context: "wamid.OUT1"}}})},
		{"list_reply", listBody, one("1", whatsapp.Change{
			Messages: []whatsapp.Message{{ID: "wamid.IN3", From: "6281234567890", Timestamp: "1749416410", Type: "interactive",
				Reply: &whatsapp.Reply{Kind: "list_reply", ID: "s1:sertifikat", Title: "Sertifikat Vaksin"}}}})},
		{"image", imageBody, one("1", whatsapp.Change{
			Messages: []whatsapp.Message{{ID: "wamid.IN4", From: "6281234567890", Timestamp: "1749416420", Type: "image",
				Media: &whatsapp.Media{ID: "1479537139650973", MimeType: "image/jpeg", SHA256: "2x9Yc0b3l8dJd0k=", Caption: "KTP saya"}}}})},
		{"statuses, failed 131026", failedBody, one("1", whatsapp.Change{
			Statuses: []whatsapp.Status{
				{ID: "wamid.OUT9", Status: "failed", Timestamp: "1749416500", RecipientID: "6281299990000",
					Errors: []whatsapp.Error{{Code: 131026, Title: "Message undeliverable", Message: "Message undeliverable",
						Details: "Message could not be delivered"}}},
				{ID: "wamid.OUT8", Status: "read", Timestamp: "1749416501", RecipientID: "6281234567890"}}})},
		{"several entries and changes, unknown types", manyBody, whatsapp.Notification{Entries: []whatsapp.Entry{
			{ID: "A", Changes: []whatsapp.Change{
				{Field: "messages", PhoneNumberID: "111", Messages: []whatsapp.Message{
					{ID: "wamid.a1", From: "621", Timestamp: "1", Type: "text", Text: "satu"},
					{ID: "wamid.a2", From: "622", Timestamp: "2", Type: "reaction"}}},
				{Field: "messages", PhoneNumberID: "222", Statuses: []whatsapp.Status{
					{ID: "wamid.o1", Status: "delivered", Timestamp: "3", RecipientID: "623"}}}}},
			{ID: "B", Changes: []whatsapp.Change{
				{Field: "messages", PhoneNumberID: "333", Messages: []whatsapp.Message{
					{ID: "wamid.b1", From: "624", Timestamp: "4", Type: "unsupported",
						Errors: []whatsapp.Error{{Code: 131051, Title: "Message type unknown"}}},
					{ID: "wamid.b2", From: "625", Timestamp: "5", Type: "hologram"}}}}}}}},
		{"no entries", `{"object":"whatsapp_business_account","entry":[]}`, whatsapp.Notification{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := whatsapp.Parse([]byte(tc.body))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":        `hai`,
		"an array":        `[{"object":"whatsapp_business_account"}]`,
		"no object":       `{"entry":[]}`,
		"another object":  `{"object":"page","entry":[]}`,
		"no entry":        `{"object":"whatsapp_business_account"}`,
		"entry null":      `{"object":"whatsapp_business_account","entry":null}`,
		"entry an object": `{"object":"whatsapp_business_account","entry":{}}`,
		"empty":           ``,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := whatsapp.Parse([]byte(body)); !errors.Is(err, whatsapp.ErrNotWhatsApp) {
				t.Errorf("Parse(%s) = %v, want ErrNotWhatsApp", body, err)
			}
		})
	}
}
