package routing

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/aduan/aduan/pkg/ticket"
)

// DefaultRule is the rule name a Decision carries when no rule matched.
const DefaultRule = "default"

// Rules decide a ticket's queue and priority, in the YAML form of
// configs/routing.yaml: an ordered list of rules, the first whose
// conditions all hold wins; when none does, the default queue.
type Rules struct {
	defaultQueue string
	queues       []string
	rules        []rule
}

// rule is one entry of the rules list. Within a condition any value may
// match; every condition given must match. Keywords are folded by
// foldKeyword.
type rule struct {
	name       string
	categories []ticket.Category
	channels   []ticket.Channel
	documents  []ticket.DocumentState
	keywords   []string
	queue      string
	priority   ticket.Priority
}

// Decision is what the rules say about a ticket.
type Decision struct {
	Queue    string
	Priority ticket.Priority // "" leaves the ticket's priority as it is
	Rule     string          // the matching rule's name, or DefaultRule
}

type rulesFile struct {
	DefaultQueue string `yaml:"default_queue"`
	Queues       []struct {
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
	} `yaml:"queues"`
	Rules []struct {
		Name string `yaml:"name"`
		When struct {
			Categories []string `yaml:"categories"`
			Channels   []string `yaml:"channels"`
			Documents  []string `yaml:"documents"`
			Keywords   []string `yaml:"keywords"`
		} `yaml:"when"`
		Queue    string `yaml:"queue"`
		Priority string `yaml:"priority"`
	} `yaml:"rules"`
}

// queueNamePattern is what a queue may be called: it appears in URLs and
// metric labels.
var queueNamePattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ParseRules reads routing rules. Anything that would make routing quietly
// do something else than the file says is an error naming the rule: an
// unknown key, category, channel, document state, priority or queue, a
// rule without a queue, a duplicate name, an empty keyword, and a rule no
// ticket can reach because a rule above it has no conditions.
func ParseRules(b []byte) (*Rules, error) {
	var f rulesFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("routing rules: %w", err)
	}
	r := &Rules{defaultQueue: f.DefaultQueue}
	for _, q := range f.Queues {
		switch {
		case len(q.Name) > 50 || !queueNamePattern.MatchString(q.Name):
			return nil, fmt.Errorf("routing rules: queue name %q: use lowercase letters, digits and dashes, at most 50", q.Name)
		case slices.Contains(r.queues, q.Name):
			return nil, fmt.Errorf("routing rules: queue %q is declared twice", q.Name)
		}
		r.queues = append(r.queues, q.Name)
	}
	if !r.HasQueue(f.DefaultQueue) {
		return nil, fmt.Errorf("routing rules: default_queue %q is not one of the queues (%s)", f.DefaultQueue,
			strings.Join(r.queues, ", "))
	}
	names := map[string]bool{DefaultRule: true}
	catchAll := ""
	for i, fr := range f.Rules {
		where := fmt.Sprintf("routing rules: rule %d (%s)", i+1, fr.Name)
		switch {
		case fr.Name == "":
			return nil, fmt.Errorf("%s: has no name", where)
		case names[fr.Name]:
			return nil, fmt.Errorf("%s: the name is taken", where)
		case catchAll != "":
			return nil, fmt.Errorf("%s: can never match: rule %q above it has no conditions", where, catchAll)
		case !r.HasQueue(fr.Queue):
			return nil, fmt.Errorf("%s: queue %q is not one of the queues (%s)", where, fr.Queue, strings.Join(r.queues, ", "))
		}
		names[fr.Name] = true
		ru := rule{name: fr.Name, queue: fr.Queue, priority: ticket.Priority(fr.Priority)}
		if ru.priority != "" && !ru.priority.Valid() {
			return nil, fmt.Errorf("%s: priority %q is not one of %s", where, fr.Priority, ruleValueList(ticket.Priorities))
		}
		var err error
		if ru.categories, err = parseRuleValues(fr.When.Categories, ticket.Categories); err != nil {
			return nil, fmt.Errorf("%s: categories: %w", where, err)
		}
		if ru.channels, err = parseRuleValues(fr.When.Channels, ticket.Channels); err != nil {
			return nil, fmt.Errorf("%s: channels: %w", where, err)
		}
		if ru.documents, err = parseRuleValues(fr.When.Documents, ruleDocumentStates); err != nil {
			return nil, fmt.Errorf("%s: documents: %w", where, err)
		}
		for _, k := range fr.When.Keywords {
			folded := foldKeyword(k)
			if folded == "" {
				return nil, fmt.Errorf("%s: keyword %q has no letter or digit", where, k)
			}
			ru.keywords = append(ru.keywords, folded)
		}
		if len(ru.categories)+len(ru.channels)+len(ru.documents)+len(ru.keywords) == 0 {
			catchAll = ru.name
		}
		r.rules = append(r.rules, ru)
	}
	return r, nil
}

var ruleDocumentStates = []ticket.DocumentState{ticket.DocMissing, ticket.DocReceived, ticket.DocOK,
	ticket.DocUnreadable, ticket.DocMismatch}

// parseRuleValues checks each of vals against the known values.
func parseRuleValues[T ~string](vals []string, known []T) ([]T, error) {
	out := make([]T, 0, len(vals))
	for _, v := range vals {
		if !slices.Contains(known, T(v)) {
			return nil, fmt.Errorf("%q is not one of %s", v, ruleValueList(known))
		}
		out = append(out, T(v))
	}
	return out, nil
}

func ruleValueList[T ~string](vals []T) string {
	s := make([]string, len(vals))
	for i, v := range vals {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// Decide returns the queue and priority of the first rule that matches t,
// or the default queue when none does.
func (r *Rules) Decide(t ticket.Ticket) Decision {
	text := " " + foldKeyword(t.Subject+" "+t.Description)
	for _, ru := range r.rules {
		if ru.matches(t, text) {
			return Decision{Queue: ru.queue, Priority: ru.priority, Rule: ru.name}
		}
	}
	return Decision{Queue: r.defaultQueue, Rule: DefaultRule}
}

// matches reports whether every condition of ru holds for t, whose subject
// and description folded are text (with a leading space).
func (ru rule) matches(t ticket.Ticket, text string) bool {
	if len(ru.categories) > 0 && !slices.Contains(ru.categories, t.Category) {
		return false
	}
	if len(ru.channels) > 0 && !slices.Contains(ru.channels, t.Channel) {
		return false
	}
	if len(ru.documents) > 0 && !slices.ContainsFunc([]ticket.DocumentState{t.Documents.KTP, t.Documents.Selfie,
		t.Documents.VaccineCard}, func(d ticket.DocumentState) bool { return slices.Contains(ru.documents, d) }) {
		return false
	}
	if len(ru.keywords) > 0 && !slices.ContainsFunc(ru.keywords, func(k string) bool {
		return strings.Contains(text, " "+k)
	}) {
		return false
	}
	return true
}

// Queues lists the queues, in the file's order.
func (r *Rules) Queues() []string { return slices.Clone(r.queues) }

// HasQueue reports whether q is one of the queues.
func (r *Rules) HasQueue(q string) bool { return slices.Contains(r.queues, q) }

// DefaultQueue is where tickets no rule matches go.
func (r *Rules) DefaultQueue() string { return r.defaultQueue }

// foldKeyword lowercases s and turns every run of characters that are not
// letters or digits into one space, so "NIK saya,  DIPAKAI!" reads "nik
// saya dipakai". A keyword must then start at the start of a word and may
// run on ("umroh" matches "umrohnya", not "kumroh"), as in categories.yaml.
func foldKeyword(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}
