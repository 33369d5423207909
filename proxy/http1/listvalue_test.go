package http1

import (
	"fmt"
	"testing"
)

// TestSplitList: a comma inside a quoted string separates nothing, as
// HAProxy 2.6's req.hdr reads it (found by TestConverterFuzzDifferential:
// the value `:1{[}x\=5 'y"\c$,~~5X` is one element for HAProxy).
func TestSplitList(t *testing.T) {
	for in, want := range map[string]string{
		`a, b`:                  `["a" " b"]`,
		`"x,y", z`:              `["\"x,y\"" " z"]`,
		`"p\"q,r", s`:           `["\"p\\\"q,r\"" " s"]`,
		`:1{[}x\=5 'y"\c$,~~5X`: `[":1{[}x\\=5 'y\"\\c$,~~5X"]`,
		`,`:                     `["" ""]`,
		``:                      `[""]`,
	} {
		if got := fmt.Sprintf("%q", SplitList(in)); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}
