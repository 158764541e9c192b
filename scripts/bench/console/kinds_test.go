package main

import "testing"

// Every default kind names a source; a console page is one more line whose
// placeholders are filled, escaped, from its source's parameters.
func TestParseKinds(t *testing.T) {
	ks, err := parseKinds(defaultKinds + "\ntiket:ticket-200=/tiket/{number};antrean:queue=/antrean?q={queue}&a={agent}")
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != 15 {
		t.Fatalf("%d kinds, want 15", len(ks))
	}
	last := ks[len(ks)-1]
	if last.name != "antrean" || last.src != sources["queue"] {
		t.Fatalf("last kind %+v", last)
	}
	if got := last.url(params{"queue": "data diri", "agent": "7"}); got != "/antrean?q=data+diri&a=7" {
		t.Errorf("url = %q", got)
	}
	post, err := parseKinds("periksa:lookup-nik=POST /console/panggilan/periksa?nik={nik}")
	if err != nil || len(post) != 1 || !post[0].post || post[0].path != "/console/panggilan/periksa?nik={nik}" {
		t.Fatalf("POST kind: %+v, %v", post, err)
	}
	for _, bad := range []string{"x=/p", "tiket:nope=/t", "tiket=", "Tiket:ticket=/t", "tiket:ticket=t"} {
		if _, err := parseKinds(bad); err == nil {
			t.Errorf("parseKinds(%q): no error", bad)
		}
	}
}
