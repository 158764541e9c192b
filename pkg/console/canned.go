package console

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// CannedReply is a ready answer an agent picks in the reply box by typing
// "/" and its key.
type CannedReply struct {
	Key   string `yaml:"key"`
	Title string `yaml:"title"`
	Body  string `yaml:"body"`
}

// ParseCannedReplies reads canned-replies.yaml: every reply needs a key
// of its own, a title and a body.
func ParseCannedReplies(b []byte) ([]CannedReply, error) {
	var f struct {
		Replies []CannedReply `yaml:"replies"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("canned replies: %w", err)
	}
	seen := map[string]bool{}
	for i, r := range f.Replies {
		r.Key, r.Title, r.Body = strings.TrimSpace(r.Key), strings.TrimSpace(r.Title), strings.TrimSpace(r.Body)
		switch {
		case r.Key == "" || strings.ContainsAny(r.Key, " /\t\n"):
			return nil, fmt.Errorf("canned replies: reply %d: key must be one word", i+1)
		case seen[r.Key]:
			return nil, fmt.Errorf("canned replies: key %q twice", r.Key)
		case r.Title == "" || r.Body == "":
			return nil, fmt.Errorf("canned replies: %q needs a title and a body", r.Key)
		}
		seen[r.Key] = true
		f.Replies[i] = r
	}
	return f.Replies, nil
}
