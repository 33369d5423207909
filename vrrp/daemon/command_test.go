package daemon

import (
	"slices"
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
