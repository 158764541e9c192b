// Package configs holds the configuration files compiled into the binary.
package configs

import "embed"

// Categories is categories.yaml: the phrase and concept rules that guess a
// complaint's category, read by email.ParseCategoryRules.
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

// Words is words.yaml: informal Indonesian and common Javanese and
// Sundanese words with their standard forms, and the stems the stemmer
// keeps, read by email.ParseCategoryRules before it matches a complaint.
//
//go:embed words.yaml
var Words []byte

// CannedReplies is canned-replies.yaml: the ready answers agents pick by
// typing / in the console's reply box, read by console.ParseCannedReplies.
//
//go:embed canned-replies.yaml
var CannedReplies []byte
