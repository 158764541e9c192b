// Package configs holds the configuration files compiled into the binary.
package configs

import "embed"

// Categories is categories.yaml: the keyword rules that guess a complaint's
// category, read by email.ParseCategoryRules.
//
//go:embed categories.yaml
var Categories []byte

// Templates holds the mail templates, templates/*.txt: each defines a
// "subject" and a "body" (text/template), read by notify.NewNotifier.
//
//go:embed templates/*.txt
var Templates embed.FS

// Routing is routing.yaml: the agent queues and the rules that put tickets
// in them, read by routing.ParseRules.
//
//go:embed routing.yaml
var Routing []byte

// SLA is sla.yaml: response and resolution targets, business hours and
// public holidays, read by sla.Parse.
//
//go:embed sla.yaml
var SLA []byte
