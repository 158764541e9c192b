// Command wa-standin runs the local stand-in for Meta's Graph API and the
// demo chat page (package wastandin), for `make run` and manual tests. It
// is never part of a deployment: Aduan's production client talks to the
// configured Graph URL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aduan/aduan/pkg/notify/wastandin"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "wa-standin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	or := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("wa-standin", flag.ContinueOnError)
	addr := fs.String("addr", or("WA_STANDIN_ADDR", "127.0.0.1:8089"), "where to listen (loopback only)")
	webhook := fs.String("webhook", or("WA_STANDIN_WEBHOOK", "http://"+or("ADUAN_HTTP_ADDR", "127.0.0.1:8080")+"/webhooks/whatsapp"),
		"Aduan's WhatsApp webhook")
	token := fs.String("token", getenv("ADUAN_WA_ACCESS_TOKEN"), "the access token Aduan sends")
	secret := fs.String("secret", getenv("ADUAN_WA_APP_SECRET"), "the app secret webhook calls are signed with")
	pnid := fs.String("phone-number-id", or("ADUAN_WA_PHONE_NUMBER_ID", "106540352242922"), "the business number's id")
	window := fs.Bool("window", true, "refuse non-template messages outside the 24-hour window (131047)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" || *secret == "" {
		return errors.New("ADUAN_WA_ACCESS_TOKEN and ADUAN_WA_APP_SECRET (or -token and -secret) must be set")
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s is not a loopback address: the stand-in is for this machine only", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := wastandin.New(wastandin.Config{AccessToken: *token, AppSecret: *secret, WebhookURL: *webhook,
		PhoneNumberID: *pnid, BaseURL: "http://" + ln.Addr().String(), Window: *window})
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	log.Info("wa-standin listening", "graph_url", "http://"+ln.Addr().String()+"/v23.0",
		"chat", "http://"+ln.Addr().String()+"/chat", "webhook", *webhook)
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdown)
	srv.Wait()
	return err
}
