// Package logtest helps tests read what Aduan logs.
package logtest

import (
	"bytes"
	"sync"
)

// Buffer collects a log written from many goroutines, for a test to read
// back (what a poller logged, whether personal data reached the log).
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p; it is safe to call from any goroutine.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
