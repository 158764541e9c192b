package email

import "slices"

// vocabulary numbers the words category rules use, so a complaint is
// matched against them by number, each of its words looked up once.
type vocabulary struct {
	ids map[string]int32
	// prefixLens are the lengths of the rule words of four letters or more,
	// which also match longer words they start ("vaksin", "vaksinasi").
	prefixLens []int
}

func (v *vocabulary) add(w string) int32 {
	if id, ok := v.ids[w]; ok {
		return id
	}
	id := int32(len(v.ids))
	v.ids[w] = id
	if len(w) >= 4 && !slices.Contains(v.prefixLens, len(w)) {
		v.prefixLens = append(v.prefixLens, len(w))
		slices.Sort(v.prefixLens)
	}
	return id
}

// textIndex is a complaint's words and, for each, the rule words it
// matches.
type textIndex struct {
	words   []string // "" at a clause boundary
	ids     []int32  // the rule words matched, word after word
	off     []int32  // word i matched ids[off[i]:off[i+1]]
	present []bool   // by rule word: matched somewhere in the text
}

func (x *textIndex) index(v *vocabulary) {
	x.ids, x.off = x.ids[:0], x.off[:0]
	if cap(x.present) < len(v.ids) {
		x.present = make([]bool, len(v.ids))
	}
	x.present = x.present[:len(v.ids)]
	clear(x.present)
	for _, w := range x.words {
		x.off = append(x.off, int32(len(x.ids)))
		if w == "" {
			continue
		}
		if id, ok := v.ids[w]; ok {
			x.ids, x.present[id] = append(x.ids, id), true
		}
		for _, n := range v.prefixLens {
			if n >= len(w) {
				break
			}
			if id, ok := v.ids[w[:n]]; ok {
				x.ids, x.present[id] = append(x.ids, id), true
			}
		}
	}
	x.off = append(x.off, int32(len(x.ids)))
}

// near reports whether every term of a concept occurs in the text, all
// within window words of each other and in one clause.
func (x *textIndex) near(concept []term, window int) bool {
	for _, t := range concept { // most concepts fail here, without a scan
		if !slices.ContainsFunc(t, func(alt []int32) bool { return x.present[alt[0]] }) {
			return false
		}
	}
	var buf [8]int
	last := buf[:0] // last[k] is the latest position term k was seen at, -1 before
	for range concept {
		last = append(last, -1)
	}
	for i, w := range x.words {
		if w == "" { // a clause boundary: start again
			for k := range last {
				last[k] = -1
			}
			continue
		}
		for k, t := range concept {
			if x.at(t, i) {
				last[k] = i
			}
		}
		lo, hi := i, -1
		for _, p := range last {
			lo, hi = min(lo, p), max(hi, p)
		}
		if lo >= 0 && hi-lo <= window {
			return true
		}
	}
	return false
}

// at reports whether one of t's alternatives starts at word i.
func (x *textIndex) at(t term, i int) bool {
	for _, alt := range t {
		if i+len(alt) > len(x.words) {
			continue
		}
		ok := true
		for j, id := range alt {
			if !slices.Contains(x.ids[x.off[i+j]:x.off[i+j+1]], id) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
