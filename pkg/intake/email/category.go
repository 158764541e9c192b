package email

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/ticket"
)

// CategoryRules guesses a complaint's category from its meaning: the text
// is read as words, informal and regional words replaced by their standard
// form (configs/words.yaml), each word reduced to its stem, and then
// matched against phrases and concepts (configs/categories.yaml).
type CategoryRules struct {
	rules []categoryRule
	words map[string][]string // informal word → standard words, stemmed
	stem  stemmer
	vocab vocabulary // the words the rules use
	texts sync.Pool  // *textIndex, reused from one complaint to the next
}

// categoryRule is one entry of categories.yaml, its phrases read like a
// complaint.
type categoryRule struct {
	category ticket.Category
	window   int
	// concepts each list terms that must all appear within window words
	// of each other, in any order; a term is alternatives, each a phrase
	// of consecutive words. A keyword is a concept of one term.
	concepts [][]term
}

// term is the alternatives one part of a concept may take, each a phrase
// of words by their number in the rules' vocabulary.
type term [][]int32

// defaultWindow is how many words a concept may spread over: "nama saya
// di sertifikat PeduliLindungi salah" is one thought.
const defaultWindow = 6

// ParseCategoryRules reads rules in the YAML form of configs/categories.yaml,
// with the dictionary of configs/words.yaml; unknown categories are an error
// naming them. So are unknown keys, a rule without keywords or concepts, a
// keyword with no letter or digit, and a file without rules: each would make
// Guess quietly answer "other".
func ParseCategoryRules(b []byte) (*CategoryRules, error) {
	r, err := newCategoryRules(configs.Words)
	if err != nil {
		return nil, err
	}
	var raw []struct {
		Category string   `yaml:"category"`
		Keywords []string `yaml:"keywords"`
		Concepts []string `yaml:"concepts"`
		Window   int      `yaml:"window"`
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
	for i, rr := range raw {
		c := ticket.Category(rr.Category)
		if !c.Valid() {
			unknown = append(unknown, fmt.Sprintf("%q", rr.Category))
			continue
		}
		if len(rr.Keywords)+len(rr.Concepts) == 0 {
			return nil, fmt.Errorf("category rules: rule %d (%s) has no keywords or concepts", i+1, c)
		}
		rule := categoryRule{category: c, window: rr.Window}
		if rule.window <= 0 {
			rule.window = defaultWindow
		}
		for _, k := range rr.Keywords {
			t, err := r.term(k)
			if err != nil {
				return nil, fmt.Errorf("category rules: rule %d (%s) has an empty keyword %q", i+1, c, k)
			}
			rule.concepts = append(rule.concepts, []term{t})
		}
		for _, k := range rr.Concepts {
			var concept []term
			for part := range strings.SplitSeq(k, "+") {
				t, err := r.term(part)
				if err != nil {
					return nil, fmt.Errorf("category rules: rule %d (%s) has an empty part in concept %q", i+1, c, k)
				}
				concept = append(concept, t)
			}
			rule.concepts = append(rule.concepts, concept)
		}
		r.rules = append(r.rules, rule)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("category rules: unknown categories %s (known: %s)",
			strings.Join(unknown, ", "), categoryList())
	}
	return r, nil
}

// term reads "salah|beda|tidak sesuai": alternatives, each read as words.
func (r *CategoryRules) term(s string) (term, error) {
	var t term
	for alt := range strings.SplitSeq(s, "|") {
		words := r.readWords(alt, nil)
		if len(words) == 0 || slices.Contains(words, "") {
			return nil, errors.New("empty")
		}
		ids := make([]int32, len(words))
		for i, w := range words {
			ids[i] = r.vocab.add(w)
		}
		t = append(t, ids)
	}
	return t, nil
}

// Guess returns the category an agent would most likely pick; see Classify.
func (r *CategoryRules) Guess(text string) ticket.Category {
	c, _ := r.Classify(text)
	return c
}

// Classify returns the category of the first rule, in file order, one of
// whose keywords or concepts appears in text, and the categories of the
// other rules that match, in file order: what an agent may prefer when the
// text says several things. CategoryOther when none match.
//
// The number of matches does not count: the order of the file alone
// decides, so a specific category placed above a general one wins whenever
// both match (a NIK used by someone else also makes the certificate not
// appear, and it is the NIK that needs handling). Counting would let a long
// mail repeating "belum keluar" outvote the one phrase that matters.
func (r *CategoryRules) Classify(text string) (ticket.Category, []ticket.Category) {
	if r == nil {
		return ticket.CategoryOther, nil
	}
	x, _ := r.texts.Get().(*textIndex)
	if x == nil {
		x = &textIndex{}
	}
	defer r.texts.Put(x)
	x.words = r.readWords(text, x.words[:0])
	x.index(&r.vocab)
	var found []ticket.Category
	for _, rule := range r.rules {
		if slices.Contains(found, rule.category) {
			continue
		}
		if slices.ContainsFunc(rule.concepts, func(c []term) bool { return x.near(c, rule.window) }) {
			found = append(found, rule.category)
		}
	}
	if len(found) == 0 {
		return ticket.CategoryOther, nil
	}
	return found[0], found[1:]
}

// readWords appends the words of s to out: lowercased, split at anything
// that is not a letter or digit, informal words replaced by their standard
// form, each reduced to its stem. The end of a sentence and a joining word
// ("dan", "tapi") become an empty word, a clause boundary no concept spans:
// "nama salah dan sertifikat booster belum muncul" is two complaints, not a
// wrong booster.
func (r *CategoryRules) readWords(s string, out []string) []string {
	first := len(out)
	s = strings.ToLower(s)
	start := -1
	for i, c := range s {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = r.appendWord(out, s[start:i])
			start = -1
		}
		if c == '.' || c == '!' || c == '?' || c == ';' {
			out = append(out, "")
		}
	}
	if start >= 0 {
		out = r.appendWord(out, s[start:])
	}
	// A join between numbers ("dosis 1 dan 2") joins words, not clauses.
	for i := first; i < len(out); i++ {
		if out[i] != joinMark {
			continue
		}
		out[i] = ""
		if (i > first && isNumber(out[i-1])) || (i+1 < len(out) && isNumber(out[i+1])) {
			out[i] = "dan"
		}
	}
	return out
}

// joinMark stands for a joining word until its neighbours are known.
const joinMark = "\x00"

func isNumber(w string) bool {
	return w != "" && strings.Trim(w, "0123456789") == ""
}

// clauseJoins are the words that join two complaints in one sentence.
var clauseJoins = map[string]bool{"dan": true, "tapi": true, "tetapi": true, "namun": true, "serta": true,
	"lalu": true, "kemudian": true, "juga": true, "selain": true}

func (r *CategoryRules) appendWord(out []string, w string) []string {
	if std, ok := r.words[w]; ok {
		return append(out, std...)
	}
	if clauseJoins[w] {
		return append(out, joinMark)
	}
	if _, ok := r.vocab.ids[w]; ok { // already a stem the rules use: "sertifikat", "belum"
		return append(out, w)
	}
	w = r.stem.stem(w)
	if std, ok := r.words[w]; ok { // "jenengku" is "jeneng" + -ku
		return append(out, std...)
	}
	return append(out, w)
}

func categoryList() string {
	names := make([]string, len(ticket.Categories))
	for i, c := range ticket.Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// newCategoryRules reads the dictionary of words.yaml.
func newCategoryRules(dict []byte) (*CategoryRules, error) {
	var raw struct {
		Words map[string]string `yaml:"words"`
		Roots []string          `yaml:"roots"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(dict))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("word dictionary: %w", err)
	}
	r := &CategoryRules{words: make(map[string][]string, len(raw.Words)), stem: stemmer{roots: make(map[string]bool, len(raw.Roots))},
		vocab: vocabulary{ids: map[string]int32{}}}
	for _, root := range raw.Roots {
		r.stem.roots[strings.ToLower(root)] = true
	}
	for k, v := range raw.Words {
		var std []string
		for _, w := range strings.Fields(strings.ToLower(v)) {
			std = append(std, r.stem.stem(w))
		}
		if len(std) == 0 {
			return nil, fmt.Errorf("word dictionary: %q has no standard form", k)
		}
		r.words[strings.ToLower(k)] = std
	}
	return r, nil
}
