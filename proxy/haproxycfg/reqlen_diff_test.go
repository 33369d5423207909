package haproxycfg

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

const reqLenConfig = `defaults
    mode tcp
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    bind FE
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
	testenv.LookPath(t, "haproxy")
	repl := []string{"BIG", tcpNamed(t, "big"), "SMALL", tcpNamed(t, "small")}
	ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
	difftest.StartHAProxy(t, strings.NewReplacer(append(repl, "FE", ha)...).Replace(reqLenConfig), ha)
	runPlan(t, strings.NewReplacer(append(repl, "FE", goha)...).Replace(reqLenConfig))
	cases := []struct {
		name  string
		parts []string
	}{
		{"12 bytes at once", []string{"abcdefghijkl"}},
		{"3 bytes, then the delay ends", []string{"abc"}},
		{"6 bytes, then the delay ends: reject", []string{"abcdef"}},
		{"6 then 6 bytes", []string{"abcdef", "ghijkl"}},
	}
	try := func(addr string, parts []string) string {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			return "dial: " + err.Error()
		}
		defer c.Close()
		start := time.Now()
		for i, p := range parts {
			if i > 0 {
				time.Sleep(200 * time.Millisecond)
			}
			c.Write([]byte(p))
		}
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		b, _ := io.ReadAll(c)
		waited := time.Since(start) > 550*time.Millisecond // the delay, then the server's 300 ms
		return fmt.Sprintf("%q waited=%v", b, waited)
	}
	for _, c := range cases {
		var want, got string
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); want = try(ha, c.parts) }()
		go func() { defer wg.Done(); got = try(goha, c.parts) }()
		wg.Wait()
		t.Logf("%s: %s", c.name, got)
		if want != got {
			t.Errorf("%s:\n haproxy %s\n goha    %s", c.name, want, got)
		}
	}
}
