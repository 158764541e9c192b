// Package web holds what the console serves to a browser: its templates
// and its static files (styles, scripts, the vendored htmx), embedded in
// the binary so nothing needs building or fetching to run it.
package web

import "embed"

// Templates are the console's html/template files: layout.html, one file
// a page, and partials/ shared by several.
//
//go:embed templates
var Templates embed.FS

// Static is the console's static files, served under /console/static/.
//
//go:embed static
var Static embed.FS
