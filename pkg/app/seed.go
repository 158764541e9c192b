package app

import (
	"context"
	"fmt"
	"time"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/ticket"
)

// DemoLogin is one account the demo seed creates.
type DemoLogin struct {
	Email, Password string
	Role            ticket.Role
}

// demoLogins are printed by `make run`; they exist only in a demo database.
var demoLogins = []struct {
	DemoLogin
	name string
}{
	{DemoLogin{"admin@aduan.test", "admin-demo-123", ticket.RoleAdmin}, "Admin Demo"},
	{DemoLogin{"supervisor@aduan.test", "supervisor-demo-123", ticket.RoleSupervisor}, "Sri Supervisor"},
	{DemoLogin{"agen1@aduan.test", "agen1-demo-123", ticket.RoleAgent}, "Budi Agen"},
	{DemoLogin{"agen2@aduan.test", "agen2-demo-123", ticket.RoleAgent}, "Dewi Agen"},
}

// demoCalls are the demo tickets, each with a fixed source id so seeding
// twice adds nothing.
var demoCalls = []struct {
	source, name, nik, phone string
	category                 ticket.Category
	body                     string
}{
	{"demo:1", "Siti Aminah", "3201014508850001", "0812-3456-7801", ticket.CategoryCertificateMissing,
		"Sudah vaksin dosis kedua tanggal 2 November, sertifikat belum keluar di aplikasi PeduliLindungi."},
	{"demo:2", "Agus Salim", "3171012304900002", "0813-2222-3333", ticket.CategoryPersonalDataChange,
		"Nama di sertifikat salah ketik, seharusnya Agus Salim sesuai KTP."},
	{"demo:3", "Rina Wulandari", "3578015012920003", "0857-1111-2222", ticket.CategoryNIKConflict,
		"Saat daftar muncul pesan NIK sudah terdaftar, padahal belum pernah vaksin. NIK digunakan orang lain."},
	{"demo:4", "Siti Aminah", "3201014508850001", "0812-3456-7801", ticket.CategoryAppIssue,
		"Kode OTP tidak masuk ke nomor HP saya."},
}

// SeedDemo creates the demo users and tickets that are missing and returns
// the demo logins. It is safe to run again.
func (a *App) SeedDemo(ctx context.Context) ([]DemoLogin, error) {
	var logins []DemoLogin
	var agentID int64
	for _, d := range demoLogins {
		u, _, err := a.Store.UserByEmail(ctx, d.Email)
		if ticket.ErrorCode(err) == ticket.ENOTFOUND {
			u, err = a.AddUser(ctx, NewUser{Email: d.Email, Name: d.name, Role: d.Role, Password: d.Password,
				Capacity: ticket.DefaultCapacity})
		}
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", d.Email, err)
		}
		if d.Role == ticket.RoleAgent && agentID == 0 {
			agentID = u.ID
		}
		logins = append(logins, d.DemoLogin)
	}
	for _, call := range demoCalls {
		phone, err := ticket.NormalizePhone(call.phone)
		if err != nil {
			return nil, err
		}
		nik, err := ticket.ParseNIK(call.nik, time.Now())
		if err != nil {
			return nil, err
		}
		_, err = a.Ingester.Ingest(ctx, intake.Inbound{Channel: ticket.ChannelCallCenter, SourceID: call.source,
			Category: call.category, Body: call.body, AuthorID: &agentID,
			Complainant: ticket.Complainant{Name: call.name, NIK: call.nik, Phone: phone, NIKWarnings: nik.Warnings}})
		if err != nil {
			return nil, fmt.Errorf("demo ticket %s: %w", call.source, err)
		}
	}
	if _, err := a.seedDemoPeople(ctx, time.Now()); err != nil {
		return nil, err
	}
	return logins, nil
}
