package app

import (
	"context"
	"os"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/console"
	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/intake/email"
	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/ticket"
)

// oversight is what the console's Laporan and Admin pages are built from:
// the report rollups the API reads, the store, the mail release over the
// same adapter and ingester the poller uses, and the rule files in force.
func (a *App) oversight() console.Oversight {
	adapter := email.NewAdapter(a.Rules.Categories, a.Blobs,
		email.Limits{MaxAttachment: a.Config.IMAP.MaxAttachment, MaxMail: a.Config.IMAP.MaxMail})
	return console.Oversight{
		Reports: sla.Reports{Store: a.Store},
		Exports: a.Store,
		Board:   a.Store,
		Users:   a.Store,
		AddUser: func(ctx context.Context, u console.NewUser) (ticket.User, error) {
			return a.AddUser(ctx, NewUser{Email: u.Email, Name: u.Name, Role: u.Role, Password: u.Password,
				Queues: u.Queues, Capacity: u.Capacity})
		},
		Mail:    a.Store,
		Release: email.NewRelease(a.Store, a.Blobs, adapter, a.Ingester, a.Log),
		RuleFiles: []console.RuleFile{
			ruleFile("Aturan perutean antrean", a.Config.RoutingFile, configs.Routing),
			ruleFile("Kebijakan SLA, jam kerja dan hari libur", a.Config.SLAFile, configs.SLA),
		},
		TaskMonitor: httpapi.TaskMonitorPath,
	}
}

// ruleFile is a rule file for the admins' page: the file named in the
// configuration, read again for the page (an edit since the start shows
// here before a restart puts it in force), or the built-in one.
func ruleFile(title, path string, builtin []byte) console.RuleFile {
	if path == "" {
		return console.RuleFile{Title: title, Source: "aturan bawaan (configs/ di dalam program)", Text: string(builtin)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return console.RuleFile{Title: title, Source: path, Text: "Berkas tidak terbaca: " + err.Error()}
	}
	return console.RuleFile{Title: title, Source: path, Text: string(b)}
}
