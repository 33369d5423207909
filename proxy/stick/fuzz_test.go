package stick

import (
	"bytes"
	"testing"
)

// FuzzParseKey: a key the runtime API accepts prints back as a key that
// parses to the same bytes (string keys: when nothing was cut or escaped),
// and no input panics.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "::1", "::ffff:1.2.3.4", "42", "4294967296", "-1", "abc", "a b", "", "1.2.3", "fe80::1%eth0"} {
		for k := range KeyBinary + 1 {
			f.Add(uint8(k), s)
		}
	}
	f.Fuzz(func(t *testing.T, kt uint8, s string) {
		c := Config{Key: KeyType(kt % uint8(KeyBinary+1)), KeyLen: 8, Size: 1}
		k, err := c.ParseKey(s)
		if err != nil {
			return
		}
		out := string(c.FormatKey(nil, k))
		if c.Key == KeyString && (len(s) > 8 || out != s) {
			return
		}
		k2, err := c.ParseKey(out)
		if err != nil || !bytes.Equal(k, k2) {
			t.Fatalf("%v key %q printed %q, which parses to %x (%v), not %x", c.Key, s, out, k2, err, k)
		}
	})
}
