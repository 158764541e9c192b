package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/aduan/aduan/api"
)

// contract checks real responses against api/openapi.yaml with
// kin-openapi.
type contract struct {
	router routers.Router
}

func loadContract(t testing.TB) *contract {
	t.Helper()
	ctx := context.Background()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatalf("load api/openapi.yaml: %v", err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("api/openapi.yaml is not valid OpenAPI: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("route api/openapi.yaml: %v", err)
	}
	for _, ct := range []string{"image/png", "image/jpeg", "image/webp", "image/gif", "application/octet-stream"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
	return &contract{router: router}
}

// validateResponse returns what is wrong with a response to method path,
// or nothing when it is what the spec says.
func (c *contract) validateResponse(method, path string, status int, header http.Header, body []byte) []string {
	req := httptest.NewRequest(method, path, nil)
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return []string{fmt.Sprintf("no route in the spec: %v", err)}
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: opts},
		Status: status, Header: header, Options: opts,
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		if me, ok := err.(openapi3.MultiError); ok {
			out := make([]string, len(me))
			for i, e := range me {
				out[i] = e.Error()
			}
			return out
		}
		return []string{err.Error()}
	}
	return nil
}
