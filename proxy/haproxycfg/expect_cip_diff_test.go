package haproxycfg

import (
	"regexp"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// loopbackPorts hides the ports of the test's own connections.
var loopbackPorts = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// TestExpectNetScalerCIPDifferential: `tcp-request connection
// expect-netscaler-cip layer4` beside HAProxy 2.6, on a bind without
// accept-netscaler-cip (the magic compared is then 0) and on one with it:
// the same answers (the addresses the rules see) or refusals; with the
// condition false, a plain request is served. On an accept-proxy bind
// the CIP header comes first, then the PROXY header (HAProxy's order).
func TestExpectNetScalerCIPDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	req := []byte("GET / HTTP/1.0\r\n\r\n")
	cases := []struct {
		name string
		head []byte
	}{
		{"magic 0", cipStandard(0, 40, cipIPv4(6))},
		{"magic 0 legacy ipv6", cipLegacy(0, 60, cipIPv6())},
		{"magic 1234", cipStandard(1234, 40, cipIPv4(6))},
		{"plain", nil},
	}
	for _, bind := range []string{"BIND", "BIND accept-netscaler-cip 1234", "BIND accept-proxy", "BIND accept-proxy accept-netscaler-cip 1234"} {
		for _, cond := range []string{"if { src 127.0.0.1 }", "unless { src 127.0.0.1 }"} {
			cfg := quickDefaults("http") +
				"frontend fe\n    bind " + bind + "\n    tcp-request connection expect-netscaler-cip layer4 " + cond + "\n" +
				"    http-request return status 200 content-type text/plain lf-string \"src=%[src]:%[src_port] dst=%[dst]:%[dst_port]\"\n"
			ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
			requireRuns(t, strings.ReplaceAll(cfg, "BIND", goha))
			difftest.StartHAProxy(t, strings.ReplaceAll(cfg, "BIND", ha), ha)
			runPlan(t, strings.ReplaceAll(cfg, "BIND", goha))
			for _, tc := range cases {
				in := append(append([]byte{}, tc.head...), req...)
				if strings.Contains(bind, "accept-proxy") {
					in = append(append(append([]byte{}, tc.head...), "PROXY TCP4 198.51.100.1 192.0.2.10 40001 8080\r\n"...), req...)
				}
				var got [2]string
				for i, addr := range []string{ha, goha} {
					got[i] = loopbackPorts.ReplaceAllString(cipExchange(t, addr, in, false), "127.0.0.1:P")
				}
				if got[0] != got[1] {
					t.Errorf("%s, %s, %s: haproxy %q, goha %q", bind, cond, tc.name, got[0], got[1])
				}
				t.Logf("%s, %s, %s: %q", bind, cond, tc.name, got[0])
			}
		}
	}
}
