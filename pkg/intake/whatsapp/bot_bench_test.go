package whatsapp_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aduan/aduan/pkg/intake/whatsapp"
)

// BenchmarkBotHandle answers first messages of many senders at once: one
// transaction each (lock, handled id, answer queued, state saved).
func BenchmarkBotHandle(b *testing.B) {
	h := newHarness(b)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			wa := fmt.Sprintf("62812%08d", i)
			err := h.bot.Handle(context.Background(), whatsapp.Incoming{PhoneNumberID: numberID,
				Contact: whatsapp.Contact{WaID: wa},
				Message: whatsapp.Message{ID: fmt.Sprintf("wamid.bench-%d", i), From: wa, Type: "text", Text: "hai"}})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
