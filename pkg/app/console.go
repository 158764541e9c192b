package app

import (
	"fmt"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/console"
	"github.com/aduan/aduan/pkg/httpapi"
)

// mountConsole builds the web console on the app's services and serves it
// from api, whose login checks it shares.
func (a *App) mountConsole(api *httpapi.Server) (*console.Console, error) {
	canned, err := console.ParseCannedReplies(configs.CannedReplies)
	if err != nil {
		return nil, err
	}
	con, err := console.New(console.Config{Auth: api, Store: a.Store, Desk: a.Desk, Ingester: a.Ingester,
		Queues: a.Router, QueueNames: a.Rules.Routing.Queues(), CannedReplies: canned, Log: a.Log, Oversight: a.oversight()})
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	api.MountConsole(con)
	return con, nil
}
