package daemon

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitCommand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`/bin/true`, []string{"/bin/true"}},
		{`"/bin/echo x"`, []string{"/bin/echo", "x"}},
		{`/bin/echo "a b" 'c d'`, []string{"/bin/echo", "a b", "c d"}},
		{`  /bin/x   y  `, []string{"/bin/x", "y"}},
		{`/bin/x a\ b`, []string{"/bin/x", "a b"}},
		{``, nil},
	} {
		if got := splitCommand(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("splitCommand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzSplitCommand: any line splits without panicking into non-blank
// words free of unquoted blanks' effects (no word is empty unless quoted).
func FuzzSplitCommand(f *testing.F) {
	for _, s := range []string{`/bin/true`, `"/bin/echo x"`, `a "b c" 'd'`, `\`, `"`, `a\ b`, "\t x \t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range splitCommand(s) {
			if w == "" && !strings.ContainsAny(s, `"'`) {
				t.Fatalf("empty word from %q", s)
			}
		}
	})
}
