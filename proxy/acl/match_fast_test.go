package acl

import (
	"regexp"
	"strings"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
)

func TestAnchoredPrefix(t *testing.T) {
	for _, c := range []struct{ re, want string }{
		{`^/static/.*[.]js$`, "/static/"},
		{`^/api`, "/api"},
		{`^abc|^abd`, ""}, // an alternation: none taken
		{`/static/`, ""},  // unanchored: Go's regexp looks for it itself
		{`(?i)^/static/`, ""},
		{`(?m)^/static/`, ""}, // ^ at any line
		{`^(/static/)`, ""},
		{`^é/`, ""}, // an invalid byte of the subject reads as U+FFFD
		{`^\x2fx`, "/x"},
		{`^`, ""},
		{`^.*`, ""},
	} {
		if got := anchoredPrefix(c.re); got != c.want {
			t.Errorf("anchoredPrefix(%q) = %q, want %q", c.re, got, c.want)
		}
	}
}

// TestRegMatchPrefixSameAnswers: the prefix check never changes what the
// regex alone answers.
func TestRegMatchPrefixSameAnswers(t *testing.T) {
	pats := []string{`^/static/.*[.]js$`, `^/api`, `^abc|^abd`, `(?m)^x`, `^/a\.b`, `^ab+c`, `^`, `^\x2fx`}
	subjects := []string{"", "/", "/static/a.js", "/static/", "/Static/a.js", "x/static/a.js", "/api", "/apix", "/ap",
		"abc", "abd", "abe", "q\nx", "x", "/a.b", "/axb", "abbbc", "ac", "/x", "\xff/x", "/static/\xff.js"}
	for _, ci := range []bool{false, true} {
		for _, p := range pats {
			m, err := regMatch([]string{p}, ci)
			if err != nil {
				t.Fatal(err)
			}
			src := p
			if ci {
				src = "(?i)" + p
			}
			re := regexp.MustCompile(src)
			for _, s := range subjects {
				if got, want := m(s), re.MatchString(s); got != want {
					t.Errorf("%q ci=%v on %q: %v, regexp says %v", p, ci, s, got, want)
				}
			}
		}
	}
}

// TestStrMatchFoldSameAnswers: under -i, comparing a value folded byte by
// byte, and -m str over a set, answer what lowering the value and the
// patterns (ASCII only, as HAProxy: asciiLower) and comparing answers.
func TestStrMatchFoldSameAnswers(t *testing.T) {
	few := []string{"Bot", "crawler", "ÉTÉ", "a.b", ""}
	many := []string{"example.com", "Example.ORG", "www.example.com", "a", "b", "c", "d", "e", "f", "ÉTÉ", "K"}
	subjects := []string{"", "bot", "BOT", "Mozilla/5.0 (compatible; Googlebot/2.1)", "CRAWLER", "crawle", "été", "ÉTÉ",
		"x\xffbot", "A.B", "a.bc", "EXAMPLE.COM", "example.org", "Example.com.", "K", "k", "\u212a", "F"}
	ref := map[haproxy.MatchMethod]func(v, p string) bool{
		haproxy.MatchStr: func(v, p string) bool { return v == p },
		haproxy.MatchBeg: strings.HasPrefix,
		haproxy.MatchEnd: strings.HasSuffix,
		haproxy.MatchSub: strings.Contains,
	}
	for method, test := range ref {
		for _, pats := range [][]string{few, many} {
			for _, ci := range []bool{false, true} {
				m, err := matchers[method](pats, ci)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range subjects {
					want := false
					for _, p := range pats {
						v := s
						if ci {
							v, p = asciiLower(v), asciiLower(p)
						}
						want = want || test(v, p)
					}
					if got := m(s); got != want {
						t.Errorf("%v %q ci=%v on %q: %v, want %v", method, pats, ci, s, got, want)
					}
				}
			}
		}
	}
}

func TestStrMatchFoldDoesNotAllocate(t *testing.T) {
	m, err := matchers[haproxy.MatchSub]([]string{"bot", "crawler"}, true)
	if err != nil {
		t.Fatal(err)
	}
	ua := "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"
	if n := testing.AllocsPerRun(100, func() { m(ua) }); n != 0 {
		t.Errorf("%v allocations per -i match of a value with capitals", n)
	}
}
