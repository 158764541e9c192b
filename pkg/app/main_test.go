package app_test

import (
	"os"
	"testing"

	"github.com/aduan/aduan/pkg/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
