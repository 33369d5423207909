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
	for _, set := range sets {
		suggestRun{name: set.name, words: misspellings(set.base, set.n, notSection), chunk: 45, // HAProxy stops after 50 errors
			head: set.head, line: func(j int, w string) string { return fmt.Sprintf(set.line, j, w) },
			re: set.re, minPercent: 80}.compare(t, haproxyOut, gohaOut)
	}
}
