// Package configs holds the configuration files compiled into the binary.
package configs

import "embed"

// Categories is categories.yaml: the keyword rules that guess a complaint's
// category, read by email.ParseCategoryRules.
//
//go:embed categories.yaml
var Categories []byte

// Templates holds the mail templates, templates/*.txt: each defines a
// "subject" and a "body" (text/template), read by tasks.NewNotifier.
//
//go:embed templates/*.txt
var Templates embed.FS
