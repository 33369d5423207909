package haproxy

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestSuggestListsMatchRegistry: the registered parts of the suggestion
// lists hold what the committed -dK dump lists for global, proxy (its
// one-word keywords) and server, no more, no less; the order is
// TestKeywordSuggestMatchesHAProxy's to check.
func TestSuggestListsMatchRegistry(t *testing.T) {
	dump := map[string]map[string]bool{"global": {}, "proxy": {}, "server": {}}
	for _, s := range registrySubjects(t) {
		if m := dump[s.kind]; m != nil && !strings.Contains(s.name, " ") {
			m[s.name] = true
		}
	}
	for kind, list := range map[string][]string{"global": globalSuggestRegistered,
		"proxy": proxySuggestRegistered, "server": serverSuggestRegistered} {
		seen := map[string]bool{}
		for _, w := range list {
			if !dump[kind][w] {
				t.Errorf("%s: %q is not in the registry dump", kind, w)
			}
			seen[w] = true
		}
		for w := range dump[kind] {
			if !seen[w] {
				t.Errorf("%s: the registry dump's %q is not in the list", kind, w)
			}
		}
	}
}

// unknownKwRe picks the word and the rest of the line (section, "did
// you mean", final dot) of an unknown global or proxy keyword's alert,
// unknownSrvRe of an unknown server keyword's, unknownDefSrvRe on a
// default-server line.
var (
	unknownDefSrvRe = regexp.MustCompile(`:\d+\] : unknown keyword '([^']*)'(.*)$`)
	unknownKwRe     = regexp.MustCompile(`: parsing \[[^]]*\] : unknown keyword '([^']*)'( in .*)$`)
	unknownSrvRe    = regexp.MustCompile(`'server a/s\d+' : unknown keyword '([^']*)'(.*)$`)
)

func unknownTails(out string, re *regexp.Regexp) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if g := re.FindStringSubmatch(l); g != nil {
			m[g[1]] = g[2]
		}
	}
	return m
}

// TestKeywordSuggestMatchesHAProxy compares, word for word, the "did you
// mean" suffix of goha's unknown-keyword alerts with the real haproxy -c's
// in the global section, a listen section and on server lines, for
// misspellings of every word HAProxy tries there.
func TestKeywordSuggestMatchesHAProxy(t *testing.T) {
	haproxyOut, gohaOut := checkOutputs(t)
	notSection := func(w string) bool { return !sectionKinds[w] }
	sets := []struct {
		name       string
		base       []string
		n          int    // words compared, 0: all
		head, line string // line formats the i-th word
		re         *regexp.Regexp
	}{
		{"global", globalSuggestions, 0, "global\n", " %[2]s\n", unknownKwRe},
		{"proxy", proxySuggestions, 0, suggestHead, " %[2]s\n", unknownKwRe},
		{"server", serverSuggestions, 0, suggestHead, " server s%[1]d 127.0.0.1:1 %[2]s\n", unknownSrvRe},
		{"default-server", serverSuggestions, 200, suggestHead, " default-server %[2]s\n", unknownDefSrvRe},
	}
	const chunk = 45 // HAProxy stops after 50 errors
	for _, set := range sets {
		words := misspellings(set.base, set.n, notSection)
		compared, suggested := 0, 0
		for i := 0; i < len(words); i += chunk {
			var b strings.Builder
			b.WriteString(set.head)
			for j, w := range words[i:min(i+chunk, len(words))] {
				fmt.Fprintf(&b, set.line, j, w)
			}
			want, got := unknownTails(haproxyOut(b.String()), set.re), unknownTails(gohaOut(b.String()), set.re)
			for w, tail := range want {
				compared++
				if strings.Contains(tail, "did you mean") {
					suggested++
				}
				if g, ok := got[w]; !ok {
					t.Errorf("%s %s: goha gave no unknown-keyword alert; haproxy's suffix %q", set.name, w, tail)
				} else if g != tail {
					t.Errorf("%s %s: goha %q, haproxy %q", set.name, w, g, tail)
				}
			}
		}
		if compared < len(words)*8/10 {
			t.Errorf("%s: only %d of %d words gave an unknown-keyword alert in haproxy", set.name, compared, len(words))
		}
		t.Logf("%s: %d misspellings compared (%d with a suggestion)", set.name, compared, suggested)
	}
}
