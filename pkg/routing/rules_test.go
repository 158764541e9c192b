package routing_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/ticket"
)

// docs returns the documents summary with the selfie in state s.
func docs(s ticket.DocumentState) ticket.Documents {
	d := ticket.NoDocuments
	d.Selfie = s
	return d
}

func TestShippedRules(t *testing.T) {
	r := shippedRules(t)
	if got, want := r.Queues(), []string{"sertifikat", "data-diri", "nik-bermasalah", "eskalasi", "umum"}; !slices.Equal(got, want) {
		t.Errorf("queues %v, want %v", got, want)
	}
	if r.DefaultQueue() != "umum" {
		t.Errorf("default queue %q, want umum", r.DefaultQueue())
	}
	tests := []struct {
		name string
		t    ticket.Ticket
		want routing.Decision
	}{
		{"a NIK conflict is high", ticket.Ticket{Category: ticket.CategoryNIKConflict, Channel: ticket.ChannelWhatsApp},
			routing.Decision{Queue: "nik-bermasalah", Priority: ticket.PriorityHigh, Rule: "nik-dipakai-orang-lain"}},
		{"a NIK conflict wins over a threat", ticket.Ticket{Category: ticket.CategoryNIKConflict,
			Description: "Saya akan lapor ke Ombudsman"},
			routing.Decision{Queue: "nik-bermasalah", Priority: ticket.PriorityHigh, Rule: "nik-dipakai-orang-lain"}},
		{"a threat to go outside", ticket.Ticket{Category: ticket.CategoryAppIssue, Subject: "OTP tidak masuk",
			Description: "Sudah seminggu. Akan saya VIRALKAN!"},
			routing.Decision{Queue: "eskalasi", Priority: ticket.PriorityHigh, Rule: "ancaman-eskalasi"}},
		{"a photo that does not match", ticket.Ticket{Category: ticket.CategoryCertificateDataError,
			Documents: docs(ticket.DocMismatch)},
			routing.Decision{Queue: "eskalasi", Rule: "dokumen-tidak-cocok"}},
		{"a mismatch on a category without photos is not about photos", ticket.Ticket{
			Category: ticket.CategoryVaccinationStatus, Documents: docs(ticket.DocMismatch)},
			routing.Decision{Queue: "umum", Rule: routing.DefaultRule}},
		{"the certificate for a trip", ticket.Ticket{Category: ticket.CategoryCertificateMissing,
			Description: "Sertifikat dosis 2 belum muncul padahal minggu depan saya berangkat Umroh."},
			routing.Decision{Queue: "sertifikat", Priority: ticket.PriorityHigh, Rule: "sertifikat-untuk-perjalanan"}},
		{"a trip word on another category", ticket.Ticket{Category: ticket.CategoryAppIssue,
			Description: "Tidak bisa login sebelum naik pesawat"},
			routing.Decision{Queue: "umum", Rule: routing.DefaultRule}},
		{"a missing certificate", ticket.Ticket{Category: ticket.CategoryCertificateMissing,
			Description: "Sertifikat belum muncul"}, routing.Decision{Queue: "sertifikat", Rule: "sertifikat"}},
		{"wrong data on the certificate", ticket.Ticket{Category: ticket.CategoryCertificateDataError},
			routing.Decision{Queue: "sertifikat", Rule: "sertifikat"}},
		{"personal data", ticket.Ticket{Category: ticket.CategoryPersonalDataChange, Documents: docs(ticket.DocOK)},
			routing.Decision{Queue: "data-diri", Rule: "data-diri"}},
		{"a status question from WhatsApp is low", ticket.Ticket{Category: ticket.CategoryVaccinationStatus,
			Channel: ticket.ChannelWhatsApp},
			routing.Decision{Queue: "umum", Priority: ticket.PriorityLow, Rule: "status-dari-whatsapp"}},
		{"a status question by email", ticket.Ticket{Category: ticket.CategoryVaccinationStatus,
			Channel: ticket.ChannelEmail}, routing.Decision{Queue: "umum", Rule: routing.DefaultRule}},
		{"anything else", ticket.Ticket{Category: ticket.CategoryOther, Channel: ticket.ChannelCallCenter},
			routing.Decision{Queue: "umum", Rule: routing.DefaultRule}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.t.Documents == (ticket.Documents{}) {
				tt.t.Documents = ticket.NoDocuments
			}
			if got := r.Decide(tt.t); got != tt.want {
				t.Errorf("Decide = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// conditionRules has one rule per kind of condition, and one needing all.
const conditionRules = `
default_queue: umum
queues: [{name: umum}, {name: a}, {name: b}, {name: c}, {name: d}, {name: e}]
rules:
  - name: kategori
    when: {categories: [nik_conflict]}
    queue: a
    priority: high
  - name: kanal
    when: {channels: [whatsapp, sms]}
    queue: b
  - name: dokumen
    when: {documents: [unreadable, mismatch]}
    queue: c
  - name: kata-kunci
    when: {keywords: [ombudsman, "Tiket Pesawat"]}
    queue: d
    priority: low
  - name: semua
    when: {categories: [app_issue], channels: [callcenter], keywords: [otp]}
    queue: e
`

func TestRuleConditions(t *testing.T) {
	r, err := routing.ParseRules([]byte(conditionRules))
	if err != nil {
		t.Fatal(err)
	}
	email, wa, call := ticket.ChannelEmail, ticket.ChannelWhatsApp, ticket.ChannelCallCenter
	tests := []struct {
		name      string
		category  ticket.Category
		channel   ticket.Channel
		documents ticket.Documents
		subject   string
		text      string
		rule      string
	}{
		{"category", ticket.CategoryNIKConflict, email, ticket.NoDocuments, "", "", "kategori"},
		{"first match wins", ticket.CategoryNIKConflict, wa, docs(ticket.DocMismatch), "ombudsman", "", "kategori"},
		{"channel", ticket.CategoryOther, wa, ticket.NoDocuments, "", "", "kanal"},
		{"another channel of the list", ticket.CategoryOther, ticket.ChannelSMS, ticket.NoDocuments, "", "", "kanal"},
		{"document unreadable", ticket.CategoryOther, email, docs(ticket.DocUnreadable), "", "", "dokumen"},
		{"document mismatch", ticket.CategoryOther, email, ticket.Documents{KTP: ticket.DocOK,
			Selfie: ticket.DocOK, VaccineCard: ticket.DocMismatch}, "", "", "dokumen"},
		{"documents fine", ticket.CategoryOther, email, ticket.Documents{KTP: ticket.DocOK, Selfie: ticket.DocReceived,
			VaccineCard: ticket.DocMissing}, "", "", routing.DefaultRule},
		{"keyword in the subject, any case", ticket.CategoryOther, email, ticket.NoDocuments, "Lapor OMBUDSMAN!", "", "kata-kunci"},
		{"keyword in the text, punctuation between words", ticket.CategoryOther, email, ticket.NoDocuments, "",
			"Tiket-pesawat saya hangus", "kata-kunci"},
		{"keyword that may run on", ticket.CategoryOther, email, ticket.NoDocuments, "", "ke ombudsmannya", "kata-kunci"},
		{"keyword inside a word does not count", ticket.CategoryOther, email, ticket.NoDocuments, "", "kombudsman",
			routing.DefaultRule},
		{"every condition holds", ticket.CategoryAppIssue, call, ticket.NoDocuments, "", "Kode OTP tidak masuk", "semua"},
		{"one condition fails", ticket.CategoryAppIssue, email, ticket.NoDocuments, "", "Kode OTP tidak masuk", routing.DefaultRule},
		{"another fails", ticket.CategoryAppIssue, call, ticket.NoDocuments, "", "Tidak bisa login", routing.DefaultRule},
		{"nothing matches", ticket.CategoryCertificateMissing, email, ticket.NoDocuments, "", "", routing.DefaultRule},
	}
	queues := map[string]string{"kategori": "a", "kanal": "b", "dokumen": "c", "kata-kunci": "d", "semua": "e",
		routing.DefaultRule: "umum"}
	priorities := map[string]ticket.Priority{"kategori": ticket.PriorityHigh, "kata-kunci": ticket.PriorityLow}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Decide(ticket.Ticket{Category: tt.category, Channel: tt.channel, Documents: tt.documents,
				Subject: tt.subject, Description: tt.text})
			want := routing.Decision{Queue: queues[tt.rule], Priority: priorities[tt.rule], Rule: tt.rule}
			if got != want {
				t.Errorf("Decide = %+v, want %+v", got, want)
			}
		})
	}
}

func TestParseRulesRejects(t *testing.T) {
	const head = "default_queue: umum\nqueues: [{name: umum}, {name: sertifikat}]\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", head + "rules:\n  - name: x\n    queue: umum\n    kueue: umum\n", "kueue"},
		{"unknown condition", head + "rules:\n  - name: x\n    when: {category: [other]}\n    queue: umum\n", "category"},
		{"unknown category", head + "rules:\n  - name: x\n    when: {categories: [vaksin]}\n    queue: umum\n", `"vaksin"`},
		{"unknown channel", head + "rules:\n  - name: x\n    when: {channels: [telegram]}\n    queue: umum\n", `"telegram"`},
		{"unknown document state", head + "rules:\n  - name: x\n    when: {documents: [blurry]}\n    queue: umum\n", `"blurry"`},
		{"unknown priority", head + "rules:\n  - name: x\n    when: {categories: [other]}\n    queue: umum\n    priority: asap\n", `"asap"`},
		{"unknown queue", head + "rules:\n  - name: x\n    when: {categories: [other]}\n    queue: vaksin\n", `"vaksin"`},
		{"no queue", head + "rules:\n  - name: x\n    when: {categories: [other]}\n", `queue ""`},
		{"no name", head + "rules:\n  - when: {categories: [other]}\n    queue: umum\n", "no name"},
		{"duplicate name", head + "rules:\n  - name: x\n    when: {categories: [other]}\n    queue: umum\n" +
			"  - name: x\n    when: {categories: [app_issue]}\n    queue: umum\n", "taken"},
		{"reserved name", head + "rules:\n  - name: default\n    when: {categories: [other]}\n    queue: umum\n", "taken"},
		{"empty keyword", head + "rules:\n  - name: x\n    when: {keywords: [\"?!\"]}\n    queue: umum\n", "no letter"},
		{"unreachable rule", head + "rules:\n  - name: semua\n    queue: umum\n  - name: x\n    when: {categories: [other]}\n    queue: sertifikat\n",
			"can never match"},
		{"default queue not declared", "default_queue: lain\nqueues: [{name: umum}]\n", `"lain"`},
		{"no default queue", "queues: [{name: umum}]\n", "default_queue"},
		{"bad queue name", "default_queue: umum\nqueues: [{name: umum}, {name: Data Diri}]\n", `"Data Diri"`},
		{"queue declared twice", "default_queue: umum\nqueues: [{name: umum}, {name: umum}]\n", "twice"},
		{"empty file", "", "default_queue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := routing.ParseRules([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseRules = %v, want an error mentioning %s", err, tt.want)
			}
		})
	}
}

func TestRulesWithoutRulesUseTheDefaultQueue(t *testing.T) {
	r, err := routing.ParseRules([]byte("default_queue: umum\nqueues: [{name: umum}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := r.Decide(ticket.Ticket{Category: ticket.CategoryNIKConflict, Documents: ticket.NoDocuments})
	if want := (routing.Decision{Queue: "umum", Rule: routing.DefaultRule}); got != want {
		t.Errorf("Decide = %+v, want %+v", got, want)
	}
}
