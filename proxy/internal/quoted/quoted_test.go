package quoted

import "testing"

func TestEnd(t *testing.T) {
	for _, c := range []struct {
		s         string
		i         int
		semicolon bool
		want      int
	}{
		{"abc", 0, true, 3},
		{"a;b", 0, true, 1},
		{"a;b,c", 0, false, 3},
		{"a,b", 0, true, 1},
		{`"a;b",c`, 0, true, 5},
		{`"a\";b";c`, 0, true, 7},
		{`"a\\";b`, 0, true, 5},
		{`x;"unterminated;`, 2, true, 16},
		{"a;b;c", 2, true, 3},
	} {
		if got := End(c.s, c.i, len(c.s), c.semicolon); got != c.want {
			t.Errorf("End(%q, %d, %v) = %d, want %d", c.s, c.i, c.semicolon, got, c.want)
		}
		if got := End([]byte(c.s), c.i, len(c.s), c.semicolon); got != c.want {
			t.Errorf("End([]byte %q) = %d, want %d", c.s, got, c.want)
		}
	}
}
