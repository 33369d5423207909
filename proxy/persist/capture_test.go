package persist

import "testing"

// TestCapture: capture cookie's choice and cut, as
// TestCaptureCookieMatchHAProxy measured them.
func TestCapture(t *testing.T) {
	vals := func(vs ...string) [][]byte {
		out := make([][]byte, len(vs))
		for i, v := range vs {
			out[i] = []byte(v)
		}
		return out
	}
	for _, c := range []struct {
		req  bool
		in   [][]byte
		want string
		ok   bool
	}{
		{true, vals("a=1; sid=abcdefghijklmnop; s=2"), "sid=abcde", true},
		{true, vals("$Version=1; x, s = 3 ; t=4", "s=5"), "s=3", true},
		{true, vals("a=1", "b=2,sx=\"q;r\""), "sx=\"q;r\"", true},
		{true, vals("a=1"), "", false},
		{false, vals("x=1; path=/", " s = 1 ; secure"), "s=1", true},
		{false, vals("path=/; s=1"), "", false},
	} {
		var got string
		var ok bool
		if c.req {
			got, ok = CaptureRequest(c.in, "s", 9)
		} else {
			got, ok = CaptureResponse(c.in, "s", 9)
		}
		if got != c.want || ok != c.ok {
			t.Errorf("%q: %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
