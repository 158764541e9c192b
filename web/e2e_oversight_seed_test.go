package web_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
)

// oversightFixture is what the supervisor's and admin's specs are told.
type oversightFixture struct {
	Supervisor string `json:"supervisor"`
	Admin      string `json:"admin"`
	Queue      string `json:"queue"`
	AgentName  string `json:"agent_name"`
	// Reassign is a ticket with another agent, to be given to AgentName.
	Reassign string `json:"reassign"`
	// Week is a past week with WeekCreated tickets, WeekEmail by mail;
	// NIK is their complainant's, which no export may carry.
	Week        string `json:"week"`
	WeekCreated int    `json:"week_created"`
	WeekEmail   int    `json:"week_email"`
	NIK         string `json:"nik"`
	// The quarantined mail an admin takes in again.
	QuarantineUID     int64  `json:"quarantine_uid"`
	QuarantineReason  string `json:"quarantine_reason"`
	QuarantineSubject string `json:"quarantine_subject"`
}

// quarantinedMail is a complaint that failed to be taken in (the database
// was away) and was quarantined with its bytes kept.
const quarantinedMail = "From: Wahyu Pratama <wahyu.pratama@contoh.id>\r\n" +
	"To: pedulilindungi@kemkes.go.id\r\n" +
	"Subject: Sertifikat vaksin dosis 2 tidak muncul\r\n" +
	"Message-ID: <karantina-1@contoh.id>\r\n" +
	"Date: Mon, 08 Nov 2021 09:15:00 +0700\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n\r\n" +
	"Nama Lengkap: Wahyu Pratama\r\nNIK: 3174011203900002\r\nNomor HP: 081298765432\r\n" +
	"Keluhan: Sertifikat vaksin dosis 2 saya tidak muncul di aplikasi.\r\n"

// seedOversight adds a past week of tickets (2021-W45: four by
// mail, two by phone, one by WhatsApp; all but one finished, that one with
// agent 2) and a quarantined mail.
func seedOversight(t *testing.T, ctx context.Context, a *app.App, fx fixture) oversightFixture {
	t.Helper()
	o := oversightFixture{Supervisor: fx.Supervisor, Admin: fx.Admin, Queue: fx.Queue,
		AgentName: fx.Agent1Name, Week: "2021-W45", WeekCreated: 7, WeekEmail: 4, NIK: "3201014507850001",
		QuarantineUID: 4242, QuarantineReason: "koneksi basis data terputus",
		QuarantineSubject: "Sertifikat vaksin dosis 2 tidak muncul"}
	agent2, _, err := a.Store.UserByEmail(ctx, fx.Agent2)
	if err != nil {
		t.Fatal(err)
	}
	db := a.Config.DatabaseURL
	cid := storetest.Count(t, db, `SELECT id FROM complainants WHERE nik = $1`, o.NIK)
	o.Reassign = "PL-211110-900004"
	storetest.Exec(t, db, `INSERT INTO tickets (number, channel, category, status, priority, queue, assignee_id,
			complainant_id, created_at, updated_at, resolved_at, first_responded_at, first_response_due, resolution_due)
		SELECT 'PL-21111' || d || '-90000' || i, ch, cat, st, 'normal', $1, CASE WHEN st = 'pending' THEN $2::bigint END, $3,
			c, c, CASE WHEN st = 'resolved' THEN c + interval '5 hours' END, c + interval '1 hour',
			c + interval '4 hours', c + interval '3 days'
		FROM (VALUES (1, '0', 'email', 'certificate_missing', 'resolved'), (2, '0', 'email', 'certificate_missing', 'resolved'),
			(3, '0', 'callcenter', 'personal_data_change', 'resolved'), (4, '0', 'email', 'certificate_data_error', 'pending'),
			(5, '1', 'whatsapp', 'vaccination_status', 'resolved'), (6, '1', 'callcenter', 'app_issue', 'closed'),
			(7, '2', 'email', 'certificate_missing', 'resolved')) AS v(i, d, ch, cat, st),
			LATERAL (SELECT timestamptz '2021-11-08 09:00+07' + (i * interval '10 hours') AS c) AS t`,
		fx.Queue, agent2.ID, cid)
	if n := storetest.Count(t, db, `SELECT count(*) FROM tickets WHERE number = $1`, o.Reassign); n != 1 {
		t.Fatalf("the ticket to reassign, %s, was not seeded", o.Reassign)
	}
	sum, size, err := a.Blobs.Put(bytes.NewReader([]byte(quarantinedMail)))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Store.Quarantine(ctx, store.QuarantinedMail{Mailbox: "pedulilindungi@kemkes.go.id/INBOX", UIDValidity: 1,
		UID: o.QuarantineUID, RawSHA256: sum, Size: size, Reason: "ingest: " + o.QuarantineReason}); err != nil {
		t.Fatal(err)
	}
	return o
}
