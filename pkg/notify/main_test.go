package notify_test

import (
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/aduan/aduan/pkg/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
