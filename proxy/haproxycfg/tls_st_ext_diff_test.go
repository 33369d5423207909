package haproxycfg

import (
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// startBanner answers every connection with name, then closes it.
func startBanner(t *testing.T, name string) string {
	t.Helper()
	ln := loopback.Listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				c.Write([]byte(name))
				c.Close()
			}(c)
		}
	}()
	return ln.Addr().String()
}

// stHello is a ClientHello record with the extensions block exts.
func stHello(exts []byte) []byte {
	body := []byte{3, 3}
	body = append(body, make([]byte, 32)...)
	body = append(body, 0, 0, 2, 0x13, 0x01, 1, 0)
	body = binary.BigEndian.AppendUint16(body, uint16(len(exts)))
	body = append(body, exts...)
	hs := append([]byte{1, 0}, byte(len(body)>>8), byte(len(body)))
	hs = append(hs, body...)
	rec := []byte{0x16, 3, 1, byte(len(hs) >> 8), byte(len(hs))}
	return append(rec, hs...)
}

// stExt is one extension.
func stExt(typ uint16, body []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)))
	return append(b, body...)
}

const stExtConfig = `defaults
    mode tcp
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    bind BIND
    tcp-request inspect-delay 300ms
    tcp-request content accept if { req.ssl_st_ext -m found }
    use_backend b0 if { req.ssl_st_ext 0 }
    use_backend b1 if { req.ssl_st_ext 1 }
    use_backend b2 if { req.ssl_st_ext 2 }
    default_backend bnone
backend b0
    server s W0
backend b1
    server s W1
backend b2
    server s W2
backend bnone
    server s WNONE
`

// TestReqSSLSTExtDifferential: req.ssl_st_ext reads the session_ticket
// extension of the ClientHello a tcp-mode frontend inspects, as HAProxy
// 2.6: 0 without it (trailing bytes shorter than an extension
// ignored), 1 empty, 2 with a ticket, wherever it lies; no value for an
// extension longer than its block, for bytes that are not TLS, or for a
// hello still cut when the inspect delay ends (the rules wait for it).
func TestReqSSLSTExtDifferential(t *testing.T) {
	t.Parallel()
	cfg := strings.NewReplacer("W0", startBanner(t, "b0"), "W1", startBanner(t, "b1"), "W2", startBanner(t, "b2"),
		"WNONE", startBanner(t, "bnone")).Replace(stExtConfig)
	ha, gh := startBoth(t, cfg)
	groups := stExt(10, []byte{0, 2, 0, 29})
	full := stHello(append(groups, stExt(35, []byte{1, 2, 3, 4, 5, 6, 7, 8})...))
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"no ticket extension", stHello(groups), "b0"},
		{"empty ticket", stHello(append(groups, stExt(35, nil)...)), "b1"},
		{"ticket", full, "b2"},
		{"ticket first", stHello(append(stExt(35, []byte{9}), groups...)), "b2"},
		{"three bytes after the last extension", stHello(append(groups, 0, 35, 0)), "b0"},
		{"extension longer than its block", stHello(append(groups, 0, 35, 0, 9, 1)), "bnone"},
		{"long extension after the ticket", stHello(append(stExt(35, nil), 0, 10, 0, 99)), "b1"},
		{"not TLS", []byte("GET / HTTP/1.0\r\n\r\n"), "bnone"},
		{"hello cut", full[:30], "bnone"},
	}
	for _, c := range cases {
		var got [2]string
		for i, addr := range []string{ha, gh} {
			b, err := difftest.Exchange(addr, c.in, time.Second)
			got[i] = string(b)
			if err != nil && len(b) == 0 {
				got[i] = "error: " + err.Error()
			}
		}
		t.Logf("%s: haproxy %q goha %q", c.name, got[0], got[1])
		if got[0] != c.want || got[1] != got[0] {
			t.Errorf("%s: haproxy %q, goha %q, want %q", c.name, got[0], got[1], c.want)
		}
	}
	// A hello in two parts 100 ms apart: the rules wait for the rest.
	for _, addr := range []string{ha, gh} {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(3 * time.Second))
		c.Write(full[:30])
		time.Sleep(100 * time.Millisecond)
		c.Write(full[30:])
		b, _ := io.ReadAll(c)
		c.Close()
		if string(b) != "b2" {
			t.Errorf("%s: hello in two parts: %q", addr, b)
		}
	}
}
