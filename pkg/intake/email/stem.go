package email

import "strings"

// stemmer reduces Indonesian words to their stems, enough for category
// rules to match "dipakai", "memakai" and "pakai" alike. It removes
// particles (-lah, -kah, -pun), possessives (-ku, -mu, -nya), derivational
// suffixes (-kan, -an, -i) and up to two prefixes (di-, ke-, se-, ter-,
// ber-, per-, peN-, meN-), with the sound changes of meN- and peN-
// ("menulis" → tulis, "mengubah" → ubah, "memakai" → pakai).
//
// A reading that ends on a known root (words.yaml) wins; otherwise the
// most common reading is taken. That is sometimes wrong, but wrong the same
// way for a rule's words as for a complaint's, which is what matching needs.
// No Go port of Sastrawi is available from the module proxy, so this is a
// small one of our own for the affixes complaints use.
type stemmer struct {
	roots map[string]bool
}

// minStem is the shortest stem an affix may leave: shorter ones are more
// often a word's own letters ("dia", "kan") than a stem.
const minStem = 3

var (
	particles   = [...]string{"lah", "kah", "pun"}
	possessives = [...]string{"nya", "ku", "mu"}
	derivations = [...]string{"", "kan", "an", "i"}
	prefixes    = [...]string{"meng", "peng", "meny", "peny", "mem", "pem", "men", "pen", "ter", "ber", "per", "di", "ke", "se", "me", "pe"}
)

func (s stemmer) stem(w string) string {
	if len(w) <= minStem+1 || s.roots[w] {
		return w
	}
	w = cutOne(w, particles[:])
	w = cutOne(w, possessives[:])
	if t, ok := strings.CutSuffix(w, "na"); ok && s.roots[t] {
		return t // Sundanese -na: "sertifikatna"
	}
	if root, ok := s.findRoot(w, 2); ok {
		return root
	}
	// No root: the first reading, two prefixes at most, then -kan or -an.
	base := w
	for range 2 {
		readings := s.unprefix(base)
		if len(readings) == 0 {
			break
		}
		base = readings[0]
	}
	for _, suf := range [...]string{"kan", "an"} {
		if t, ok := strings.CutSuffix(base, suf); ok && len(t) >= minStem && (base != w || suf == "kan") {
			return t
		}
	}
	return base
}

// cutOne removes the first of suffixes w ends with, when enough is left.
func cutOne(w string, suffixes []string) string {
	for _, suf := range suffixes {
		if t, ok := strings.CutSuffix(w, suf); ok && len(t) >= minStem {
			return t
		}
	}
	return w
}

// findRoot looks for a reading of w, depth prefixes deep, that is a known
// root once a derivational suffix is off.
func (s stemmer) findRoot(w string, depth int) (string, bool) {
	for _, suf := range derivations {
		if t, ok := strings.CutSuffix(w, suf); ok && s.roots[t] {
			return t, true
		}
	}
	if depth == 0 {
		return "", false
	}
	for _, t := range s.unprefix(w) {
		if root, ok := s.findRoot(t, depth-1); ok {
			return root, true
		}
	}
	return "", false
}

// unprefix returns the readings of w without its first prefix, the most
// common first: meN- and peN- change the stem's first sound.
func (s stemmer) unprefix(w string) []string {
	var out []string
	vowel := func(t string) bool { return strings.IndexByte("aiueo", t[0]) >= 0 }
	for _, p := range prefixes {
		t, ok := strings.CutPrefix(w, p)
		if !ok || len(t) < minStem {
			continue
		}
		switch p {
		case "meng", "peng":
			if vowel(t) {
				out = append(out, t, "k"+t) // mengubah → ubah, mengirim → kirim
			} else {
				out = append(out, t)
			}
		case "meny", "peny":
			out = append(out, "s"+t) // menyimpan → simpan
		case "mem", "pem":
			if vowel(t) {
				out = append(out, "p"+t, t) // memakai → pakai
			} else {
				out = append(out, t)
			}
		case "men", "pen":
			if vowel(t) {
				out = append(out, "t"+t, t) // menulis → tulis
			} else {
				out = append(out, t)
			}
		case "me", "pe":
			if strings.IndexByte("lrmnwy", t[0]) >= 0 {
				out = append(out, t) // melapor → lapor
			}
		default:
			out = append(out, t)
		}
	}
	return out
}
