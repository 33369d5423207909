package keepalived

import "testing"

// Widths measured on keepalived 2.2.7 (`keepalived -t` in a namespace).
func TestLvsSyncIndent(t *testing.T) {
	for name, want := range map[string]int{"A": 7, "AB": 6, "ABC": 7, "VI_1": 8, "ABCDEFGHIJ": 14} {
		if got := len(lvsSyncIndent(name)); got != want {
			t.Errorf("%q: indent %d, want %d", name, got, want)
		}
	}
}
