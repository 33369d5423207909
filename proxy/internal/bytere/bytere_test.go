package bytere

import (
	"fmt"
	"regexp"
	"testing"
)

// TestByteWise: each case is what HAProxy 2.6.12 (PCRE2 without UTF)
// answers, found by the randomized converter test
// (TestConverterFuzzDifferential): a character is a byte.
func TestByteWise(t *testing.T) {
	for _, c := range []struct {
		expr, s string
		want    string // the first match's indexes, fmt'd
	}{
		{"^.", "é", "[0 1]"},
		{"[^a-z]", "aé", "[1 2]"},
		{"(?i)^.", "☃", "[0 1]"},
		{"é", "xé", "[1 3]"},
		{"\\xc3", "xé", "[1 2]"},
		{"\\x{a9}$", "xé", "[2 3]"},
		{"(?i)\\xe9", "\xc9", "[]"}, // no case above 0x7f
		{"(?i)A", "xa", "[1 2]"},
		{"\\w+", "aé", "[0 1]"},
		{".(.)", "\xff\xfe", "[0 2 1 2]"},
		{"b", "\xffb", "[1 2]"},
	} {
		m := MustCompile(c.expr).FindStringSubmatchIndex(c.s)
		if got := fmt.Sprint(m); got != c.want {
			t.Errorf("%q on %q: %s, want %s", c.expr, c.s, got, c.want)
		}
		if MustCompile(c.expr).MatchString(c.s) != (c.want != "[]") {
			t.Errorf("%q on %q: MatchString disagrees", c.expr, c.s)
		}
		if got := fmt.Sprint(MustCompile(c.expr).FindSubmatchIndex([]byte(c.s))); got != c.want {
			t.Errorf("%q on %q: FindSubmatchIndex %s", c.expr, c.s, got)
		}
	}
}

// BenchmarkMatch: the byte-wise wrapper beside Go's regexp on a typical
// ASCII subject (a User-Agent) and on one with UTF-8 bytes (widened).
func BenchmarkMatch(b *testing.B) {
	const expr = `(?i)(bot|crawler|spider)[/ ]\d`
	ua := "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	utf := "Mozilla/5.0 (compatible; Gooéglebot/2.1; +http://www.google.com/bot.html)"
	re, std := MustCompile(expr), regexp.MustCompile(expr)
	b.Run("regexp/ascii", func(b *testing.B) {
		for b.Loop() {
			std.MatchString(ua)
		}
	})
	b.Run("bytere/ascii", func(b *testing.B) {
		for b.Loop() {
			re.MatchString(ua)
		}
	})
	b.Run("regexp/utf8", func(b *testing.B) {
		for b.Loop() {
			std.MatchString(utf)
		}
	})
	b.Run("bytere/utf8", func(b *testing.B) {
		for b.Loop() {
			re.MatchString(utf)
		}
	})
}
