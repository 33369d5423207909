package haproxycmd

import (
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// sessShape reduces a `show sess all` dump to its shape: per stream
// (sorted by frontend), per line, the field names in order, with the
// values both daemons must agree on (proto, proxies, server, modes,
// control layer, mux, applet). Pointers, dates, counters, flags and
// timers are HAProxy's internals and are only named.
func sessShape(out string) []string {
	var blocks []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			blocks = append(blocks, strings.Join(cur, "\n"))
		}
		cur = nil
	}
	keep := map[string]bool{"proto": true, "frontend": true, "backend": true, "server": true, "mode": true,
		"ctrl": true, "mux": true, "applet": true, "xprt": true}
	for _, l := range strings.Split(out, "\n") {
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "0x") {
			flush()
		}
		var names []string
		for _, tok := range strings.Fields(l) {
			k, v, ok := strings.Cut(strings.TrimLeft(tok, "("), "=")
			switch {
			case !ok:
				if strings.HasPrefix(tok, "0x") {
					tok = "PTR:"
				}
				if strings.HasPrefix(tok, "[") {
					tok = "[DATE]"
				}
				names = append(names, tok)
			case keep[k]:
				names = append(names, k+"="+strings.TrimRight(v, ",)"))
			default:
				names = append(names, k+"=")
			}
		}
		cur = append(cur, strings.Join(names, " "))
	}
	flush()
	sort.Slice(blocks, func(i, j int) bool {
		return blocks[i][strings.Index(blocks[i], "\n"):] < blocks[j][strings.Index(blocks[j], "\n"):]
	})
	return blocks
}

// requestAtSilentServer moves be/s1 on both sides to a server that
// accepts and never answers, and leaves a request waiting there through
// each frontend (until the test ends).
func (p runtimePair) requestAtSilentServer(t *testing.T) {
	t.Helper()
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hang.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	_, port, _ := net.SplitHostPort(hang.Addr().String())
	p.same(t, "set server be/s1 addr 127.0.0.1 port "+port)
	for _, addr := range []string{p.haBind, p.goBind} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.Write([]byte("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"))
	}
}

// `show sess all` and `show sess <id>` print HAProxy 2.6's multi-line
// dump: for a held-open TCP session, an HTTP request at its server and
// the CLI's own stream, the same lines with the same field names in the
// same order, and the same proxies, servers, modes and layers.
func TestShowSessAllShapeMatchesHAProxy(t *testing.T) {
	p := startRuntimePair(t)
	p.requestAtSilentServer(t)
	for _, addr := range []string{p.haTCP, p.goTCP} {
		if c := keepAliveGet(t, addr); c != nil {
			defer c.Close()
		}
	}
	time.Sleep(300 * time.Millisecond)
	ha, goha := p.both(t, "show sess all")
	haS, goS := sessShape(ha), sessShape(goha)
	if len(haS) != 3 {
		t.Fatalf("haproxy lists %d streams:\n%s", len(haS), ha)
	}
	diffLines(t, "show sess all", haS, goS)
	// one stream by its id: the same dump
	for name, out := range map[string]string{"haproxy": ha, "goha": goha} {
		sock := map[string]string{"haproxy": p.haSock, "goha": p.goSock}[name]
		var id string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "0x") && strings.Contains(l, "proto=tcpv4") {
				id = l[:strings.IndexByte(l, ':')]
				break
			}
		}
		one := sessShape(haproxytest.StatsCmd(t, sock, "show sess "+id))
		if len(one) != 1 || !containsBlock(goS, one[0]) && name == "goha" || !containsBlock(haS, one[0]) && name == "haproxy" {
			t.Errorf("%s: show sess %s gives %q", name, id, one)
		}
	}
}

func containsBlock(blocks []string, b string) bool {
	for _, x := range blocks {
		if x == b {
			return true
		}
	}
	return false
}
