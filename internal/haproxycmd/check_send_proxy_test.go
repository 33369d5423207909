package haproxycmd

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// headRecorder keeps the first bytes each connection sends it.
type headRecorder struct {
	mu    sync.Mutex
	heads map[string]bool
	conns int
}

func startHeadRecorder(t *testing.T) (*headRecorder, string) {
	r := &headRecorder{heads: map[string]bool{}}
	addr := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		buf := make([]byte, 64)
		n, _ := c.Read(buf)
		r.mu.Lock()
		r.heads[string(buf[:n])] = true
		r.conns++
		r.mu.Unlock()
	})
	return r, addr
}

// what the recorder saw, once each, ports blanked (v1 text, v2 bytes
// 24-27: each run has its own recorders).
func (r *headRecorder) seen() []string {
	v1port := regexp.MustCompile(`^(PROXY TCP4 \S+ \S+) \d+ \d+`)
	r.mu.Lock()
	defer r.mu.Unlock()
	set := map[string]bool{}
	for h := range r.heads {
		if h == "" {
			continue // a plain connect check sends nothing (HAProxy's may not even be accepted)
		}
		if strings.HasPrefix(h, "\r\n\r\n\x00\r\nQUIT\n") && len(h) >= 28 {
			h = h[:24] + "PPPP" + h[28:]
		}
		set[fmt.Sprintf("%q", v1port.ReplaceAllString(h, "$1 P P"))] = true
	}
	var out []string
	for h := range set {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// check-send-proxy sends the PROXY header on checks that go to their own
// port (v1, or v2 with send-proxy-v2); no-check-send-proxy and
// no-send-proxy[-v2] undo what default-server set: the check port sees
// what HAProxy sends.
func TestCheckSendProxyMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "w").Addr
	run := func(ha bool) []string {
		recs := map[string]*headRecorder{}
		var cfg strings.Builder
		fmt.Fprintf(&cfg, "defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    timeout check 500ms\n"+
			"frontend f\n    bind %s\n    default_backend b\nbackend b\n    default-server check-send-proxy send-proxy inter 100ms\n", loopback.FreeAddr(t))
		for _, s := range []struct{ name, opts string }{
			{"v1", ""}, {"v2", "send-proxy-v2"}, {"off", "no-check-send-proxy"}, {"plain", "no-check-send-proxy no-send-proxy"},
			{"nov2", "send-proxy-v2 no-send-proxy-v2"},
		} {
			r, addr := startHeadRecorder(t)
			recs[s.name] = r
			_, port, _ := net.SplitHostPort(addr)
			fmt.Fprintf(&cfg, "    server %s %s check port %s %s\n", s.name, web, port, s.opts)
		}
		path := filepath.Join(t.TempDir(), "c.cfg")
		os.WriteFile(path, []byte(cfg.String()), 0o644)
		defer startSide(t, ha, path)()
		// two checks at least of every server whose checks send a header
		// (checks every 100ms; a busy machine delays the first ones), 5 s
		// at most; HAProxy's plain connect checks are never accepted
		time.Sleep(400 * time.Millisecond)
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			few := false
			for _, name := range []string{"v1", "v2", "nov2"} {
				r := recs[name]
				r.mu.Lock()
				few = few || r.conns < 2
				r.mu.Unlock()
			}
			if !few {
				break
			}

		}
		var out []string
		for _, name := range []string{"v1", "v2", "off", "plain", "nov2"} {
			out = append(out, name+": "+strings.Join(recs[name].seen(), " "))
		}
		return out
	}
	h, g := run(true), run(false)
	diffLines(t, "check heads", h, g)
	if !strings.Contains(h[0], "PROXY TCP4") {
		t.Errorf("haproxy sent no PROXY line: %q", h)
	}
}

// A server's `source` address is where its traffic and its checks come
// from, as with HAProxy.
func TestServerSourceMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	run := func(ha bool) string {
		var mu sync.Mutex
		from := map[string]bool{}
		addr := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
			mu.Lock()
			from[c.RemoteAddr().(*net.TCPAddr).IP.String()] = true
			mu.Unlock()
			c.SetReadDeadline(time.Now().Add(time.Second))
			buf := make([]byte, 512)
			if n, _ := c.Read(buf); n > 0 {
				c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			}
		})
		front := loopback.FreeAddr(t)
		path := filepath.Join(t.TempDir(), "s.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf("defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n"+
			"frontend f\n    bind %s\n    default_backend b\nbackend b\n    server s1 %s check inter 100ms source 127.0.0.2\n", front, addr)), 0o644)
		defer startSide(t, ha, path)()
		loopback.WaitListen(t, front)
		got := loopback.Get(t, front)
		time.Sleep(250 * time.Millisecond) // checks
		mu.Lock()
		defer mu.Unlock()
		var ips []string
		for ip := range from {
			ips = append(ips, ip)
		}
		sort.Strings(ips)
		return fmt.Sprintf("answer %q from %v", strings.SplitN(got, "\r\n", 2)[0], ips)
	}
	h, g := run(true), run(false)
	if h != g || !strings.Contains(h, "[127.0.0.2]") {
		t.Errorf("haproxy %s\n   goha %s", h, g)
	}
}
