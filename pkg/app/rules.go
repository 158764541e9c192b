package app

import (
	"fmt"
	"os"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/intake/email"
	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/sla"
)

// Rules are the help desk's rule files, read once at start: a bad file
// stops the process with the file named, instead of misrouting work.
type Rules struct {
	Categories *email.CategoryRules
	Routing    *routing.Rules
	SLA        *sla.Rules
}

// LoadRules reads the rule files named in cfg, or the built-in ones.
func LoadRules(cfg Config) (Rules, error) {
	var r Rules
	var err error
	if r.Categories, err = parseRuleFile(cfg.CategoriesFile, configs.Categories, email.ParseCategoryRules); err != nil {
		return r, err
	}
	if r.Routing, err = parseRuleFile(cfg.RoutingFile, configs.Routing, routing.ParseRules); err != nil {
		return r, err
	}
	if r.SLA, err = parseRuleFile(cfg.SLAFile, configs.SLA, sla.Parse); err != nil {
		return r, err
	}
	if !r.Routing.HasQueue(r.SLA.EscalationQueue) {
		return r, fmt.Errorf("sla: escalation_queue %q is not a queue in the routing rules", r.SLA.EscalationQueue)
	}
	return r, nil
}

func parseRuleFile[T any](path string, builtin []byte, parse func([]byte) (T, error)) (T, error) {
	data := builtin
	name := "built-in rules"
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			var zero T
			return zero, fmt.Errorf("read %s: %w", path, err)
		}
		data, name = b, path
	}
	v, err := parse(data)
	if err != nil {
		return v, fmt.Errorf("%s: %w", name, err)
	}
	return v, nil
}
