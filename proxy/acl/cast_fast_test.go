package acl

import (
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
