package haproxycfg

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAESGCMDecDifferential: aes_gcm_dec with constant and variable
// nonce, key and tag, 128/192/256-bit keys, 12 and 16-byte nonces,
// whole, truncated, wrong and oversized tags, beside HAProxy 2.6, byte
// for byte.
func TestAESGCMDecDifferential(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	key := []byte("0123456789abcdefghijklmnopqrstuv") // 32 bytes: each size takes its prefix
	seal := func(bits int, nonce []byte, pt string) (ct, tag []byte) {
		block, _ := aes.NewCipher(key[:bits/8])
		g, _ := cipher.NewGCMWithNonceSize(block, len(nonce))
		out := g.Seal(nil, nonce, []byte(pt), nil)
		return out[:len(pt)], out[len(pt):]
	}
	n12, n16 := []byte("twelve-bytes"), []byte("sixteen-bytes-nn")
	ct, tag := seal(128, n12, "hello, gcm")
	cfg := fmt.Sprintf(httpHead+`frontend fe
    bind BIND
    http-request set-var(txn.n) req.hdr(n)
    http-request set-var(txn.k) req.hdr(k)
    http-request set-var(txn.t) req.hdr(t)
    http-request return status 200 content-type text/plain lf-string "[%%[req.hdr(c),b64dec,aes_gcm_dec(128,txn.n,txn.k,txn.t)]]" if { req.hdr(b) 128 }
    http-request return status 200 content-type text/plain lf-string "[%%[req.hdr(c),b64dec,aes_gcm_dec(192,txn.n,txn.k,txn.t)]]" if { req.hdr(b) 192 }
    http-request return status 200 content-type text/plain lf-string "[%%[req.hdr(c),b64dec,aes_gcm_dec(256,txn.n,txn.k,txn.t),hex]]" if { req.hdr(b) 256 }
    http-request return status 200 content-type text/plain lf-string "[%%[req.hdr(c),b64dec,aes_gcm_dec(128,%s,%s,%s)]]" if { req.hdr(b) const }
    http-request return status 200 content-type text/plain lf-string "[%%[req.hdr(c),b64dec,aes_gcm_dec(128,%s,%s,txn.t)]]"
`, b64(n12), b64(key), b64(tag), b64(n12), b64(key[:16]))
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	type req struct{ bits, c, n, k, t string }
	var reqs []req
	for _, bits := range []int{128, 192, 256} {
		for _, n := range [][]byte{n12, n16} {
			ct, tag := seal(bits, n, "plain text "+fmt.Sprint(bits))
			k := b64(key[:bits/8])
			reqs = append(reqs,
				req{fmt.Sprint(bits), b64(ct), b64(n), k, b64(tag)},
				req{fmt.Sprint(bits), b64(ct), b64(n), k, b64(tag[:8])},
				req{fmt.Sprint(bits), b64(ct), b64(n), k, b64(tag[:1])},
				req{fmt.Sprint(bits), b64(ct), b64(n), b64(key), b64(tag)},
				req{fmt.Sprint(bits), b64(ct), b64(n), k, b64(append(tag[:15:15], tag[15]^1))},
				req{fmt.Sprint(bits), b64(ct), b64(n), k, b64(append(tag, 0))},
				req{fmt.Sprint(bits), b64(ct[:3]), b64(n), k, b64(tag)},
			)
		}
	}
	reqs = append(reqs,
		req{"const", b64(ct), "", "", ""},
		req{"const", b64(ct[1:]), "", "", ""},
		req{"x", b64(ct), "", "", b64(tag)},
		req{"x", b64(ct), "", "", b64(tag[:4])},
		req{"x", b64(ct), "", "", "!!!!"},
		req{"x", b64(ct), "", "", ""},
		req{"128", b64(ct), b64(n12), b64(key[:8]), b64(tag)},
		req{"128", b64(ct), "", b64(key[:16]), b64(tag)},
		req{"128", "", b64(n12), b64(key[:16]), b64(tag)},
	)
	for _, r := range reqs {
		raw := fmt.Sprintf("GET / HTTP/1.1\r\nHost: h\r\nB: %s\r\nC: %s\r\nN: %s\r\nK: %s\r\nT: %s\r\nConnection: close\r\n\r\n", r.bits, r.c, r.n, r.k, r.t)
		want, _ := exchangeFrom(t, "", ha, raw, 200*time.Millisecond)
		got, _ := exchangeFrom(t, "", goha, raw, 200*time.Millisecond)
		if testing.Verbose() {
			t.Logf("%+v: %q", r, body(want))
		}
		if !bytes.Equal(want, got) {
			t.Errorf("%+v\nhaproxy: %q\ngoha:    %q", r, body(want), body(got))
		}
	}
}
