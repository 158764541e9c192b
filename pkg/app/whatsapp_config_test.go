package app

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWhatsAppNumbersFromFileAndEnvironment(t *testing.T) {
	file := filepath.Join(t.TempDir(), "aduan.yaml")
	yamlText := "whatsapp:\n  phone_number_ids: [\"222\", \"333\", \"222\"]\n  throughput: 250\n  reply_template: aduan_balasan\n  access_token: rahasia-token\n"
	if err := os.WriteFile(file, []byte(yamlText), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ADUAN_WA_PHONE_NUMBER_ID": "111", "ADUAN_WA_GRAPH_URL": "http://127.0.0.1:7201/v23.0",
		"ADUAN_SMS_URL": "http://127.0.0.1:7202"}
	cfg, err := LoadConfig(file, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	wa := cfg.WhatsApp
	if got := wa.Numbers(); !slices.Equal(got, []string{"111", "222", "333"}) {
		t.Errorf("numbers %v", got)
	}
	if wa.Throughput != 250 || wa.ReplyTemplate != "aduan_balasan" || wa.GraphURL != "http://127.0.0.1:7201/v23.0" ||
		wa.SMSURL != "http://127.0.0.1:7202" {
		t.Errorf("whatsapp %+v", wa)
	}
	if out := cfg.String(); strings.Contains(out, "rahasia-token") {
		t.Errorf("the access token is shown:\n%s", out)
	}
	// The one number of the environment alone still works.
	cfg, err = LoadConfig("", func(k string) string { return env[k] })
	if err != nil || !slices.Equal(cfg.WhatsApp.Numbers(), []string{"111"}) {
		t.Errorf("numbers %v, %v", cfg.WhatsApp.Numbers(), err)
	}
}
