package haproxycmd

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// startSNIRecorder is a TLS check target noting the server name (SNI)
// each handshake asked for ("-" for none); its func says the names seen,
// sorted, once two handshakes came ("" before).
func startSNIRecorder(t *testing.T, cert tls.Certificate) (addr string, seen func() string) {
	names := &seenSet{}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		name := h.ServerName
		if name == "" {
			name = "-"
		}
		names.add(name)
		return nil, nil
	}}
	addr = loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(time.Second))
		tls.Server(c, cfg).Handshake()
	})
	return addr, names.list
}

// seenSet is what a recording check target saw: the distinct values and
// how many checks came.
type seenSet struct {
	mu   sync.Mutex
	vals map[string]bool
	n    int
}

func (s *seenSet) add(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vals == nil {
		s.vals = map[string]bool{}
	}
	s.vals[v] = true
	s.n++
}

// list is the values seen, sorted and comma-joined, once two checks came
// ("" before).
func (s *seenSet) list() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n < 2 {
		return ""
	}
	var l []string
	for k := range s.vals {
		l = append(l, k)
	}
	sort.Strings(l)
	return strings.Join(l, ",")
}

// TestCheckSNIMatchHAProxy: the server name a TLS health check sends,
// beside HAProxy 2.6.12: check-sni's, on the traffic port (ssl) or with
// check-ssl; none without check-sni, and never the traffic's sni
// expression; a default-server's check-sni is inherited. Each recording
// server sees the same names from both over two checks at least.
func TestCheckSNIMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	cert := throwawayCert(t)
	names := []string{
		"check check-ssl verify none check-sni a.example",
		"ssl verify none check check-sni c.example",
		"ssl verify none sni str(b.example) check",
		"check check-ssl verify none",
		"ssl verify none sni str(b.example) check check-sni d.example",
		"default-server check-sni e.example; check check-ssl verify none",
	}
	run := func(ha bool) []string {
		var seen []func() string
		var b strings.Builder
		fmt.Fprintf(&b, "defaults\n    mode http\n    timeout connect 1s\n    timeout client 3s\n    timeout server 3s\n    timeout check 1s\n"+
			"frontend f\n    bind %s\n    default_backend b0\n", loopback.FreeAddr(t))
		for i, l := range names {
			addr, f := startSNIRecorder(t, cert)
			seen = append(seen, f)
			dflt, line, ok := strings.Cut(l, "; ")
			if !ok {
				dflt, line = "", l
			}
			fmt.Fprintf(&b, "backend b%d\n    default-server inter 100ms %s\n    server s %s %s\n", i, strings.TrimPrefix(dflt, "default-server "), addr, line)
		}
		path := filepath.Join(t.TempDir(), "c.cfg")
		os.WriteFile(path, []byte(b.String()), 0o644)
		defer startSide(t, ha, path)()
		return awaitRecorded(5*time.Second, seen...)
	}
	h, g := run(true), run(false)
	sameRecorded(t, names, h, g)
	for i := range h {
		if h[i] == "" {
			t.Errorf("%s: haproxy's checks never reached the server twice", names[i])
		}
	}
}
