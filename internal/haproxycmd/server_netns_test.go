package haproxycmd

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/listen"
)

// The server option `namespace <name>` beside HAProxy 2.6 (built with
// USE_NS): the test makes its own network namespace, with lo up, and an
// HTTP server on 127.0.0.1 there, on a port nothing listens on in the
// test's namespace; both daemons run in the test's namespace. A request
// through each gets the namespace's server's answer, and its health
// check (fall 1, every 300 ms), also made from inside the namespace,
// keeps it UP; a server line without the option on the same address
// is DOWN and the request to it gets a 503.
func TestServerNamespaceMatchesHAProxy(t *testing.T) {
	testenv.Root(t)
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "ip")
	ns := fmt.Sprintf("gohasrv%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	if out, err := exec.Command("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("lo up: %v %s", err, out)
	}
	var ln net.Listener
	for range 20 { // a port free in both namespaces
		l, err := listen.Open("tcp", "127.0.0.1:0", listen.SockOpts{Namespace: ns})
		if err != nil {
			t.Fatal(err)
		}
		if probe, err := net.Listen("tcp", l.Addr().String()); err == nil {
			probe.Close()
			ln = l
			break
		}
		l.Close()
	}
	if ln == nil {
		t.Fatal("no port free in both namespaces")
	}
	addr := loopback.ServeEach(t, ln, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(3 * time.Second))
		br := bufio.NewReader(c)
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if l == "\r\n" {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nnetns")
				return
			}
		}
	})
	backends := fmt.Sprintf("    use_backend %%[req.hdr(x-b)]\nbackend be\n    server s1 %s namespace %s check inter 300ms fall 1\n"+
		"backend root\n    server s1 %s check inter 300ms fall 1\n", addr, ns, addr)
	var got [2][]string
	for i, ha := range []bool{true, false} {
		sock, _, bind := serverOptsDaemon(t, ha, "", backends)
		time.Sleep(1200 * time.Millisecond) // a few checks, fall 1: root/s1 DOWN, no retries then
		for _, be := range []string{"be", "root"} {
			c, err := net.Dial("tcp", bind)
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(6 * time.Second))
			fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: h\r\nX-B: %s\r\nConnection: close\r\n\r\n", be)
			b, _ := io.ReadAll(c)
			c.Close()
			status, _, _ := strings.Cut(string(b), "\r\n")
			_, body, _ := strings.Cut(string(b), "\r\n\r\n")
			if !strings.HasPrefix(status, "HTTP/1.1 200") {
				body = ""
			}
			got[i] = append(got[i], be+": "+status+" "+strconv.Quote(body))
		}
		got[i] = append(got[i], statColumns(t, haproxytest.StatsCmd(t, sock, "show stat"), []string{"pxname", "svname", "status"})...)
	}
	want := []string{"be: HTTP/1.1 200 OK \"netns\"", "root: HTTP/1.1 503 Service Unavailable \"\""}
	if strings.Join(got[0][:2], "\n") != strings.Join(want, "\n") || !strings.Contains(strings.Join(got[0], " "), "pxname=be svname=s1 status=UP") {
		t.Fatalf("HAProxy is not what the test expects: %q", got[0])
	}
	diffLines(t, "namespace", got[0], got[1])
}
