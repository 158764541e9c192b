package email

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/aduan/aduan/pkg/ticket"
)

// CategoryRules guesses a complaint's category from its words.
type CategoryRules struct {
	rules []categoryRule
}

// categoryRule is one entry of categories.yaml, its keywords folded by
// foldWords.
type categoryRule struct {
	category ticket.Category
	keywords []string
}

// ParseCategoryRules reads rules in the YAML form of configs/categories.yaml;
// unknown categories are an error naming them. So are unknown keys, a rule
// without keywords, a keyword with no letter or digit, and a file without
// rules: each would make Guess quietly answer "other".
func ParseCategoryRules(b []byte) (*CategoryRules, error) {
	var raw []struct {
		Category string   `yaml:"category"`
		Keywords []string `yaml:"keywords"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("category rules: %w", err)
	}
	if len(raw) == 0 {
		return nil, errors.New("category rules: no rules")
	}
	var unknown []string
	r := &CategoryRules{rules: make([]categoryRule, 0, len(raw))}
	for i, rr := range raw {
		c := ticket.Category(rr.Category)
		if !c.Valid() {
			unknown = append(unknown, fmt.Sprintf("%q", rr.Category))
			continue
		}
		if len(rr.Keywords) == 0 {
			return nil, fmt.Errorf("category rules: rule %d (%s) has no keywords", i+1, c)
		}
		rule := categoryRule{category: c}
		for _, k := range rr.Keywords {
			folded := foldWords(k)
			if folded == "" {
				return nil, fmt.Errorf("category rules: rule %d (%s) has an empty keyword %q", i+1, c, k)
			}
			rule.keywords = append(rule.keywords, folded)
		}
		r.rules = append(r.rules, rule)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("category rules: unknown categories %s (known: %s)",
			strings.Join(unknown, ", "), categoryList())
	}
	return r, nil
}

// Guess returns the category of the first rule, in file order, one of whose
// keywords appears in text; CategoryOther when none match. Matching ignores
// case, punctuation and runs of whitespace, and a keyword must start at the
// start of a word ("otp" matches "OTP-nya", not "kotp").
//
// The number of matching keywords does not count: the order of the file
// alone decides, so a specific category placed above a general one wins
// whenever both match (a NIK used by someone else also makes the certificate
// not appear, and it is the NIK that needs handling). Counting would let a
// long mail repeating "belum keluar" outvote the one phrase that matters.
func (r *CategoryRules) Guess(text string) ticket.Category {
	if r == nil {
		return ticket.CategoryOther
	}
	folded := " " + foldWords(text)
	for _, rule := range r.rules {
		for _, k := range rule.keywords {
			if strings.Contains(folded, " "+k) {
				return rule.category
			}
		}
	}
	return ticket.CategoryOther
}

// foldWords lowercases s and turns every run of characters that are not
// letters or digits into one space.
func foldWords(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

func categoryList() string {
	names := make([]string, len(ticket.Categories))
	for i, c := range ticket.Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}
