package acl

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
)

// TestSameTypeCasts: the types value.cast and value.text take as they
// are without a call (sameTypeNone) are those whose cast to themselves
// is castNone in HAProxy's matrix; the others have no such cast.
func TestSameTypeCasts(t *testing.T) {
	none := reflect.ValueOf(castNone).Pointer()
	for ty := haproxy.SampleAny; ty <= haproxy.SampleAddr; ty++ {
		c := castOf(ty, ty)
		isNone := c != nil && reflect.ValueOf(c).Pointer() == none
		if isNone != sameTypeNone(ty) {
			t.Errorf("%v: castNone %v, sameTypeNone %v", ty, isNone, sameTypeNone(ty))
		}
		v := value{t: ty, s: "x"}
		if got := v.cast(ty); got != (c != nil && c(&value{t: ty, s: "x"})) {
			t.Errorf("%v: cast to itself %v", ty, got)
		}
	}
}

// TestHTTPSafeBytes: the word-at-a-time test agrees with the byte test
// on every byte at every place of a word and after it.
func TestHTTPSafeBytes(t *testing.T) {
	for n := 1; n <= 19; n++ {
		for at := 0; at < n; at++ {
			for c := 0; c < 256; c++ {
				b := []byte("abcdefghijklmnopqrs"[:n])
				b[at] = byte(c)
				if got, want := httpSafeBytes(b), httpSafe(string(b)); got != want {
					t.Fatalf("%q: %v, byte test %v", b, got, want)
				}
			}
		}
	}
	if !httpSafeBytes(nil) || !httpSafeBytes([]byte("\t\t\t\t\t\t\t\t\t")) {
		t.Fatal("safe text refused")
	}
}

// TestSmallMapStr: a map_str of smallMap rows or fewer, compared row by
// row, finds the entry its hash finds (the first of equal keys), for
// every key and for keys it lacks.
func TestSmallMapStr(t *testing.T) {
	for _, entries := range []string{"a 1", "a 1\na 2", "a 1\nb 2\na 3", "x 1\nab 2\nb 3\nab 4", "k 1\nl 2\nm 3\nn 4\nk 5"} {
		tbl, err := newMapTable(mapStr, haproxy.SampleStr, parseMapLines(entries))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"a", "b", "ab", "x", "k", "n", "", "A", "abc"} {
			want, ok := tbl.exact[k]
			if !ok {
				want = -1
			}
			if got := tbl.find(&value{t: haproxy.SampleStr, s: k}); got != want {
				t.Errorf("%q in %q: row %d, hashed %d", k, entries, got, want)
			}
		}
	}
}

// TestAppendAddrCache: the address text a connection's stack keeps is
// that of the address asked, whichever came before.
func TestAppendAddrCache(t *testing.T) {
	var s frameStack
	for _, a := range []string{"127.0.0.1", "10.0.0.2", "10.0.0.2", "2001:db8::1", "127.0.0.1", "::ffff:1.2.3.4", "fe80::1%eth0"} {
		addr := netip.MustParseAddr(a)
		if got := string(s.appendAddr([]byte("x="), addr)); got != "x="+addr.String() {
			t.Errorf("%s: %q", a, got)
		}
	}
}
