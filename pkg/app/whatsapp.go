package app

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/aduan/aduan/pkg/desk"
	"github.com/aduan/aduan/pkg/intake/whatsapp"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/tasks"
)

// NumberList is a list of Cloud API phone number ids, written in the
// config file as a YAML list (or one string, comma-separated). It is kept
// as one comma-separated string so the configuration stays comparable.
type NumberList string

// UnmarshalYAML takes a list or a comma-separated string.
func (l *NumberList) UnmarshalYAML(n *yaml.Node) error {
	var ids []string
	switch n.Kind {
	case yaml.SequenceNode:
		if err := n.Decode(&ids); err != nil {
			return err
		}
	case yaml.ScalarNode:
		ids = strings.Split(n.Value, ",")
	default:
		return fmt.Errorf("phone_number_ids: a list of ids")
	}
	var clean []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" {
			clean = append(clean, id)
		}
	}
	*l = NumberList(strings.Join(clean, ","))
	return nil
}

// Numbers returns every configured business number: PhoneNumberID first,
// then PhoneNumberIDs, each once.
func (c WhatsAppConfig) Numbers() []string {
	var out []string
	for _, id := range append([]string{c.PhoneNumberID}, strings.Split(string(c.PhoneNumberIDs), ",")...) {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// WhatsAppAPI returns the Cloud API client as configured.
func (a *App) WhatsAppAPI() *notify.CloudAPI {
	return notify.NewCloudAPI(a.Config.WhatsApp.GraphURL, a.Config.WhatsApp.AccessToken, nil)
}

// WhatsAppQueue returns the queue of outgoing WhatsApp messages.
func (a *App) WhatsAppQueue() notify.WAQueue {
	return notify.WAQueue{Store: a.Store, PhoneNumberID: a.Config.WhatsApp.PhoneNumberID}
}

// OTPSender returns the sender of one-time codes: the OTP template on
// WhatsApp, an SMS where WhatsApp cannot deliver (when ADUAN_SMS_URL is
// set).
func (a *App) OTPSender() *notify.WhatsAppOTP {
	o := &notify.WhatsAppOTP{API: a.WhatsAppAPI(), Template: a.Config.WhatsApp.OTPTemplate, Log: a.Log}
	if a.Config.WhatsApp.SMSURL != "" {
		o.SMS = notify.NewSMSHTTP(a.Config.WhatsApp.SMSURL, a.Config.WhatsApp.SMSToken, nil)
	}
	return o
}

// whatsAppReplies makes agents' replies on WhatsApp tickets go out on
// WhatsApp, when a number is configured.
func (a *App) whatsAppReplies() {
	if len(a.Config.WhatsApp.Numbers()) == 0 {
		return
	}
	a.Desk.SetWhatsApp(desk.WhatsAppReplies{Queue: a.WhatsAppQueue(), Contacts: a.Store,
		PhoneNumberID: a.Config.WhatsApp.Numbers()[0], Template: a.Config.WhatsApp.ReplyTemplate})
}

// registerWhatsApp adds the WhatsApp channel's tasks to w: webhook bodies
// are always taken apart (statuses applied, messages stored); messages go
// to the conversation when there is one (Conversation), and queued
// messages are sent when an access token is configured. What cannot run
// waits in the outbox.
func (a *App) registerWhatsApp(w *tasks.Worker) {
	cfg := a.Config.WhatsApp
	api := a.WhatsAppAPI()
	proc := whatsapp.NewProcessor(a.Store, api, a.Blobs, a.Conversation, cfg.Numbers(), a.Log)
	var sender *notify.WASender
	if cfg.AccessToken != "" {
		sender = notify.NewWASender(a.Store, api, notify.WAPacing{Throughput: cfg.Throughput}, a.Log)
	} else if len(cfg.Numbers()) > 0 {
		a.Log.Warn("whatsapp sending is off: set ADUAN_WA_ACCESS_TOKEN; queued messages wait in the outbox")
	}
	tasks.NewWhatsAppHandler(proc, sender, a.Conversation != nil).Register(w)
}

// whatsAppDocs makes documents requests on WhatsApp tickets go out on
// WhatsApp, when a number is configured.
func (a *App) whatsAppDocs(n *notify.Notifier) {
	if numbers := a.Config.WhatsApp.Numbers(); len(numbers) > 0 {
		n.SetWhatsApp(notify.WhatsAppDocs{Queue: a.WhatsAppQueue(), Contacts: a.Store, PhoneNumberID: numbers[0]})
	}
}
