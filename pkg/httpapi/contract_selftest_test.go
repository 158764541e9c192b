package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestContractValidator shows the validator used on every response can
// fail: each bad response below must be reported.
func TestContractValidator(t *testing.T) {
	c := loadContract(t)
	jsonHeader := func(id string) http.Header {
		h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
		if id != "" {
			h.Set("X-Request-Id", id)
		}
		return h
	}
	okUser := `{"id":1,"email":"a@b.c","name":"A","role":"agent","queues":[],"capacity":20,"presence":"available","created_at":"2026-01-02T03:04:05Z"}`
	if errs := c.validateResponse("GET", "/api/v1/me", 200, jsonHeader("r1"), []byte(okUser)); len(errs) > 0 {
		t.Fatalf("a valid response was rejected: %v", errs)
	}
	bad := []struct {
		name         string
		method, path string
		status       int
		header       http.Header
		body         string
	}{
		{"missing required property", "GET", "/api/v1/me", 200, jsonHeader("r1"), `{"id":1}`},
		{"enum", "GET", "/api/v1/me", 200, jsonHeader("r1"), strings.Replace(okUser, `"agent"`, `"boss"`, 1)},
		{"date-time format", "GET", "/api/v1/me", 200, jsonHeader("r1"), strings.Replace(okUser, `2026-01-02T03:04:05Z`, `yesterday`, 1)},
		{"wrong type", "GET", "/api/v1/me", 200, jsonHeader("r1"), strings.Replace(okUser, `"capacity":20`, `"capacity":"20"`, 1)},
		{"missing X-Request-Id", "GET", "/api/v1/me", 200, jsonHeader(""), okUser},
		{"undocumented status", "GET", "/api/v1/me", 418, jsonHeader("r1"), okUser},
		{"undocumented path", "GET", "/api/v1/nothing", 200, jsonHeader("r1"), okUser},
		{"undocumented media type", "GET", "/api/v1/me", 200, http.Header{"X-Request-Id": {"r1"}, "Content-Type": {"text/html"}}, okUser},
		{"error code enum", "GET", "/api/v1/me", 401, jsonHeader("r1"), `{"error":{"code":"nope","message":"m","request_id":"r1"}}`},
		{"nullable violated", "GET", "/api/v1/tickets", 200, jsonHeader("r1"), `{"items":null,"next_cursor":null}`},
		{"pattern", "GET", "/api/v1/complainants", 200, jsonHeader("r1"), `{"items":[{"id":1,"name":"n","nik_masked":"","phone":"0811","email":"","birth_place":"","birth_date":null,"whatsapp_id":"","nik_warnings":[],"tickets":[]}]}`},
		{"error without request_id", "POST", "/api/v1/tickets", 422, jsonHeader("r1"), `{"error":{"code":"invalid","message":"m"}}`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if errs := c.validateResponse(tt.method, tt.path, tt.status, tt.header, []byte(tt.body)); len(errs) == 0 {
				t.Errorf("the validator accepted a response that breaks the spec")
			}
		})
	}
}
