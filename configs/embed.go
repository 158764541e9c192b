// Package configs holds the configuration files compiled into the binary.
package configs

import _ "embed"

// Categories is categories.yaml: the keyword rules that guess a complaint's
// category, read by email.ParseCategoryRules.
//
//go:embed categories.yaml
var Categories []byte
