package tlsconf

import (
	"bytes"
	"crypto/tls"
	"testing"
)

// TestFinished13Refuses: no verify data from records that are cut, do
// not open, or from a secret or suite it cannot use (the differential
// TestTLSUniqueIDDifferential checks the values themselves).
func TestFinished13Refuses(t *testing.T) {
	secret := "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	rec := append([]byte{23, 3, 3, 0, 40}, bytes.Repeat([]byte{7}, 40)...)
	for _, c := range []struct {
		name   string
		stream []byte
		suite  uint16
		secret string
	}{
		{"does not open", rec, tls.TLS_AES_128_GCM_SHA256, secret},
		{"cut", rec[:20], tls.TLS_AES_128_GCM_SHA256, secret},
		{"clear text only", []byte{22, 3, 1, 0, 1, 1, 20, 3, 3, 0, 1, 1}, tls.TLS_AES_128_GCM_SHA256, secret},
		{"TLS 1.2 suite", rec, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, secret},
		{"bad secret", rec, tls.TLS_AES_256_GCM_SHA384, "zz"},
		{"no secret", rec, tls.TLS_CHACHA20_POLY1305_SHA256, ""},
	} {
		if v := Finished13(c.stream, c.suite, c.secret); v != nil {
			t.Errorf("%s: %x", c.name, v)
		}
	}
}

// TestRecordTap: it keeps what it is fed while on, and nothing once
// past its bound.
func TestRecordTap(t *testing.T) {
	var off RecordTap
	off.Feed([]byte("x"))
	if b := off.Take(); b != nil {
		t.Errorf("off: %q", b)
	}
	tap := RecordTap{On: true}
	tap.Feed([]byte("ab"))
	tap.Feed([]byte("cd"))
	if b := tap.Take(); string(b) != "abcd" || tap.On {
		t.Errorf("on: %q %v", b, tap.On)
	}
	big := RecordTap{On: true}
	big.Feed(make([]byte, recordTapMax))
	big.Feed([]byte("y"))
	if b := big.Take(); b != nil {
		t.Errorf("past the bound: %d bytes", len(b))
	}
}
