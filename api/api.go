// Package api embeds the REST contract, api/openapi.yaml, so the server can
// publish it and tests can check real responses against it.
package api

import _ "embed"

// OpenAPI is the contract of Aduan's REST API (OpenAPI 3.0).
//
//go:embed openapi.yaml
var OpenAPI []byte
