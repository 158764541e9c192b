package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/httpapi"
)

// The task queue's web UI is for admins only; it is not part of the REST
// contract, so these requests go around the spec check.
func TestTaskMonitorIsForAdmins(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name  string
		token string
		want  int
	}{
		{"anonymous", "", http.StatusUnauthorized},
		{"agent", h.token(t, h.agent), http.StatusForbidden},
		{"supervisor", h.token(t, h.supervisor), http.StatusForbidden},
		{"admin", h.token(t, h.admin), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, httpapi.TaskMonitorPath+"/", nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			h.handler.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %.200s", rec.Code, tt.want, rec.Body.String())
			}
			if tt.want == http.StatusOK && !strings.Contains(rec.Body.String(), "<html") {
				t.Errorf("admin did not get the monitor page: %.200s", rec.Body.String())
			}
		})
	}
}
