package haproxycfg

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

const reqLenConfig = `defaults
    mode tcp
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    bind BIND
    tcp-request inspect-delay 600ms
    tcp-request content accept if { req.len ge 10 } || { req_len ge 1000 }
    tcp-request content reject if { req.len ge 4 } !{ req.len ge 10 }
    use_backend big if { req.len ge 5 }
    default_backend small
backend big
    server s1 BIG
backend small
    server s1 SMALL
`

// tcpNamed is a server that answers each connection with its name and the
// bytes it received within 300 ms, then closes.
func tcpNamed(t *testing.T, name string) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		var got []byte
		buf := make([]byte, 4096)
		for {
			c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			n, err := c.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		fmt.Fprintf(c, "%s:%s", name, got)
	})
}

// TestReqLenDifferential: req.len / req_len in tcp-request content rules
// and use_backend beside HAProxy 2.6. A condition req.len fails while the
// inspect delay runs waits for more bytes (HAProxy's MISS), even through
// '!' and '||'; what each side answers, which server got which bytes,
// and whether the proxy waited out the delay must agree.
func TestReqLenDifferential(t *testing.T) {
	t.Parallel()
	ha, goha := startBoth(t, strings.NewReplacer("BIG", tcpNamed(t, "big"), "SMALL", tcpNamed(t, "small")).Replace(reqLenConfig))
	cases := []struct {
		name  string
		parts []string
	}{
		{"12 bytes at once", []string{"abcdefghijkl"}},
		{"3 bytes, then the delay ends", []string{"abc"}},
		{"6 bytes, then the delay ends: reject", []string{"abcdef"}},
		{"6 then 6 bytes", []string{"abcdef", "ghijkl"}},
	}
	for _, c := range cases {
		want, got := bothAtOnce(ha, goha, func(addr string) string { return namedAnswer(addr, c.parts) })
		t.Logf("%s: %s", c.name, got)
		if want != got {
			t.Errorf("%s:\n haproxy %s\n goha    %s", c.name, want, got)
		}
	}
}
