package retention_test

import (
	"context"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/retention"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
)

// The bot's conversations hold the names and NIKs people typed: the purge
// deletes those idle past store.BotConversationKept, and the record of
// answered messages past store.BotHandledKept, even with retention off,
// and keeps the recent ones.
func TestPurgeDeletesTheBotsOldRecords(t *testing.T) {
	for _, settings := range []retention.Settings{yearAfter, {}} {
		t.Run("period "+settings.Period.String(), func(t *testing.T) {
			f := newFixture(t)
			old, recent := now.Add(-store.BotConversationKept-time.Hour), now.Add(-time.Hour)
			for waID, at := range map[string]time.Time{"6281200000001": old, "6281200000002": recent} {
				storetest.Exec(t, f.dbURL, `INSERT INTO whatsapp_conversations (wa_id, step, state, updated_at)
					VALUES ($1, 'nik', '{"name":"Siti Aminah","nik":"3201014508850001"}', $2)`, waID, at)
			}
			storetest.Exec(t, f.dbURL, `INSERT INTO whatsapp_bot_handled (wamid, wa_id, handled_at) VALUES
				('wamid.old', '6281200000001', $1), ('wamid.new', '6281200000002', $2)`,
				now.Add(-store.BotHandledKept-time.Hour), recent)
			r, err := f.purger(settings).Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if r.WhatsAppBot != 2 {
				t.Errorf("WhatsAppBot = %d, want 2", r.WhatsAppBot)
			}
			if n := f.count(`SELECT count(*) FROM whatsapp_conversations WHERE wa_id = '6281200000002'`); n != 1 {
				t.Errorf("the recent conversation was deleted")
			}
			if n := f.count(`SELECT count(*) FROM whatsapp_conversations`); n != 1 {
				t.Errorf("%d conversations left, want 1", n)
			}
			if n := f.count(`SELECT count(*) FROM whatsapp_bot_handled WHERE wamid = 'wamid.new'`); n != 1 {
				t.Errorf("%d handled records left, want only the recent one", f.count(`SELECT count(*) FROM whatsapp_bot_handled`))
			}
		})
	}
}
