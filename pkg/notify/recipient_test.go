package notify_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Acknowledgements handled at once by several workers, to one address,
// stop at the limit: each counts what the others stored.
func TestAckLimitHoldsUnderConcurrency(t *testing.T) {
	const limit, acks = 3, 16
	f := newNotifyFixture(t)
	n, err := notify.NewNotifier(f.store, plainSender(f.mx), configs.Templates,
		notify.Settings{From: mailFrom, AckPerSenderPerHour: limit}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	var taskList []store.TicketTask
	for i := range acks {
		res := f.complaint(t, fmt.Sprintf("<rush-%d@warga.test>", i), ticket.CategoryAppIssue)
		taskList = append(taskList, f.ackTask(t, res.Ticket.ID))
	}
	start := make(chan struct{})
	errs := make(chan error, acks)
	var wg sync.WaitGroup
	for _, task := range taskList {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- n.Ack(context.Background(), task.TicketID, task.MessageID)
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := len(f.mx.Received()); got != limit {
		t.Errorf("%d acknowledgements went out to one address, want %d", got, limit)
	}
	stored, err := f.store.CountOutbound(context.Background(), wargaEmail, ticket.KindAck, time.Now().Add(-time.Hour))
	if err != nil || stored != limit {
		t.Errorf("%d acknowledgements stored (%v), want %d", stored, err, limit)
	}
}
