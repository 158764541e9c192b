// Package web holds the pages Aduan serves to a browser.
package web

import "embed"

// Static is the site's files, served at /.
//
//go:embed static
var Static embed.FS
