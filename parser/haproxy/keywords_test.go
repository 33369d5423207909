package haproxy

import "testing"

func TestKeywordTables(t *testing.T) {
	find := func(sec, name string) (KeywordInfo, bool) {
		for _, k := range Keywords(sec) {
			if k.Name == name {
				return k, true
			}
		}
		return KeywordInfo{}, false
	}
	if k, ok := find("backend", "server"); !ok || k.MinArgs != 2 || k.MaxArgs != -1 {
		t.Errorf("backend server = %+v %v", k, ok)
	}
	if _, ok := find("frontend", "server"); ok {
		t.Error("server listed for frontend")
	}
	if k, ok := find("defaults", "timeout client"); !ok || k.MinArgs != 1 || k.MaxArgs != 1 {
		t.Errorf("timeout client = %+v", k)
	}
	if k, ok := find("frontend", "option dontlognull"); !ok || !k.Negatable {
		t.Errorf("option dontlognull = %+v", k)
	}
	if k, ok := find("global", "maxconn"); !ok || k.Usage != "maxconn <number>" {
		t.Errorf("global maxconn = %+v", k)
	}
	for _, sec := range []string{"global", "defaults", "frontend", "backend", "listen", "userlist", "peers", "resolvers",
		"mailers", "http-errors", "cache", "program", "ring"} {
		if len(Keywords(sec)) == 0 {
			t.Errorf("no keywords for %s", sec)
		}
	}
	if n := len(Keywords("listen")); n < 150 {
		t.Errorf("listen has only %d keywords", n)
	}
}

func TestSparseDistanceMatchesDense(t *testing.T) {
	words := []string{"daemn", "blah", "nosuchthing", "x", "", "Backend", "tune.ssl.default-dh-param"}
	for _, w := range words {
		fw := fingerprint(w)
		total := 0
		for _, n := range fw {
			total += int(n)
		}
		for _, c := range globalKeywordNames {
			if a, b := fingerprintDistance(fw, fingerprint(c)), sparseDistance(fw, total, candidateFingerprint(c)); a != b {
				t.Fatalf("%q vs %q: dense %d sparse %d", w, c, a, b)
			}
		}
	}
}
