package haproxycfg

import (
	"bytes"
	"fmt"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// syncBuffer is a bytes.Buffer safe for a process writing it while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// sServerFinished reads openssl s_server's -msg trace: for each
// connection, by its ClientHello's random (upper-case hex), the verify
// data of the Finished the server sent and of the one it received.
func sServerFinished(trace string) map[string][2]string {
	out := map[string][2]string{}
	lines := strings.Split(trace, "\n")
	hexLine := regexp.MustCompile(`^\s+([0-9a-f]{2}( [0-9a-f]{2})*)\s*$`)
	dump := func(i int) string {
		var b strings.Builder
		for _, h := range lines[i+1:] {
			m := hexLine.FindStringSubmatch(h)
			if m == nil {
				break
			}
			b.WriteString(strings.ReplaceAll(m[1], " ", ""))
		}
		return strings.ToUpper(b.String())
	}
	random := ""
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "<<< ") && strings.HasSuffix(l, ", ClientHello"):
			if d := dump(i); len(d) >= 12+64 {
				random = d[12 : 12+64] // after type, length and version
			}
		case strings.HasSuffix(l, ", Finished") && random != "":
			d := dump(i)
			if len(d) < 8 {
				continue
			}
			v := out[random]
			if strings.HasPrefix(l, ">>> ") {
				v[0] = d[8:]
			} else {
				v[1] = d[8:]
			}
			out[random] = v
		}
	}
	return out
}

// TestTLSBackendUniqueIDDifferential: ssl_bc_unique_id in response rules
// is, through HAProxy 2.6 and goha alike, the Finished the server sent on
// a full handshake and the one it received (the proxy's own) on a
// resumed one, as openssl s_server's trace shows them, in TLS 1.2 and
// 1.3, with an AEAD and a CBC suite.
func TestTLSBackendUniqueIDDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "openssl")
	pki := newFetchPKI(t)
	for _, ver := range []string{"ssl-max-ver TLSv1.2", "ssl-max-ver TLSv1.2 ciphers ECDHE-ECDSA-AES128-SHA", "ssl-min-ver TLSv1.3"} {
		srvAddr := loopback.FreeAddr(t)
		var trace syncBuffer
		cmd := exec.Command("openssl", "s_server", "-accept", srvAddr, "-cert", pki.Dir+"/srv.pem", "-key", pki.Dir+"/srv.pem",
			"-www", "-msg", "-cipher", "ALL")
		cmd.Stdout, cmd.Stderr = &trace, &trace
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		loopback.WaitListen(t, srvAddr)
		ha, gh := startTemplated(t, bcFetchConfig("u", "ssl_bc_unique_id", "VER"), "BIND", "SRV", srvAddr, "VER", ver)
		for _, d := range []struct{ name, addr string }{{"haproxy", ha}, {"goha", gh}} {
			c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			resumes := 0
			for i := 0; i < 3; i++ {
				h := bcFetched(t, c, d.name, d.addr, "X-U", "X-R", "X-Res")
				u, r, res := h[0], h[1], h[2]
				name := fmt.Sprintf("%q %s #%d", ver, d.name, i)
				var fin [2]string
				for wait := time.Now(); time.Since(wait) < 2*time.Second; time.Sleep(20 * time.Millisecond) {
					if fin = sServerFinished(trace.String())[r]; fin[0] != "" && fin[1] != "" {
						break
					}
				}
				want := fin[0] // the server's
				if res == "1" {
					want = fin[1]
					resumes++
				}
				t.Logf("%s: resumed %s unique id %s (server sent %s, received %s)", name, res, u, fin[0], fin[1])
				if want == "" || u != want {
					t.Errorf("%s: ssl_bc_unique_id %q, want %q", name, u, want)
				}
			}
			if resumes == 0 {
				t.Errorf("%q %s: no connection resumed", ver, d.name)
			}
		}
	}
}
