package storetest

import (
	"context"
	"sync"
)

// cleanup holds what to drop when the test binary exits; see Main.
var cleanup struct {
	mu    sync.Mutex
	base  string
	names []string
}

func dropTemplateAtExit(base, name string) {
	cleanup.mu.Lock()
	defer cleanup.mu.Unlock()
	cleanup.base = base
	cleanup.names = append(cleanup.names, name)
}

// Main runs a test binary's tests, then drops the template database. Call
// it from TestMain: os.Exit(storetest.Main(m)).
func Main(m interface{ Run() int }) int {
	code := m.Run()
	cleanup.mu.Lock()
	defer cleanup.mu.Unlock()
	for _, name := range cleanup.names {
		_ = admin(context.Background(), cleanup.base, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`)
	}
	return code
}
