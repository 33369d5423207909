package haproxycmd

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/lab"
)

// helperCfgEnv names the configuration TestGohaproxyHelper runs.
const helperCfgEnv = "GOHA_TEST_HELPER_CFG"

// TestGohaproxyHelper is not a test: run as a child process (inside a lab
// host's namespace) with helperCfgEnv set, it runs gohaproxy in process
// on that configuration until it is killed (at most 60 s).
func TestGohaproxyHelper(t *testing.T) {
	path := os.Getenv(helperCfgEnv)
	if path == "" {
		t.Skip("a helper process: runs only with " + helperCfgEnv)
	}
	inProcess(t, path, true)
	time.Sleep(60 * time.Second)
}

// usesrcLab is three hosts on one segment: a client 10.77.0.2, the
// balancer 10.77.0.1 and a server 10.77.0.3 recording who connects. The
// server routes the client's address and 10.77.0.9 through the balancer,
// and the balancer takes every packet the server sends as local (a
// policy rule to a table whose default route is local): what TPROXY
// setups do, without netfilter, so that connections presenting a foreign
// source come back to the socket that made them.
func usesrcLab(t *testing.T) (cli, lb *lab.Host, rec *peerRecorder) {
	l := lab.NewForTest(t, "usrc")
	var err error
	must := func(h *lab.Host, err error) *lab.Host {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	cli = must(l.AddHost("cli", "10.77.0.2/24"))
	lb = must(l.AddHost("lb", "10.77.0.1/24"))
	srv := must(l.AddHost("srv", "10.77.0.3/24"))
	ctx := context.Background()
	for _, c := range []struct {
		h    *lab.Host
		argv []string
	}{
		{srv, []string{"ip", "route", "add", "10.77.0.2/32", "via", "10.77.0.1"}},
		{srv, []string{"ip", "route", "add", "10.77.0.9/32", "via", "10.77.0.1"}},
		{lb, []string{"ip", "rule", "add", "from", "10.77.0.3", "lookup", "100"}},
		{lb, []string{"ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "100"}},
	} {
		if _, err := c.h.Run(ctx, c.argv...); err != nil {
			t.Fatal(err)
		}
	}
	var ln net.Listener
	if err = srv.Do(func() (err error) { ln, err = net.Listen("tcp", "10.77.0.3:8080"); return err }); err != nil {
		t.Fatal(err)
	}
	return cli, lb, recordPeersOn(t, ln)
}

// usesrcRun runs argv (a daemon on cfg) in lb and returns what the server
// saw for each request from the client: the address, and the port as
// "client" when it is the client's own, else "*".
func usesrcRun(t *testing.T, cli, lb *lab.Host, argv []string) []string {
	p, err := lb.Start(argv...)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { p.Kill(); p.Wait() }()
	var out []string
	for _, path := range []string{"own", "client", "clientip", "addr"} {
		var c net.Conn
		for end := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			err = cli.Do(func() (err error) { c, err = net.DialTimeout("tcp", "10.77.0.1:80", time.Second); return err })
			if err == nil || time.Now().After(end) {
				break
			}
		}
		if err != nil {
			t.Fatalf("%s: %v\n%s", argv[0], err, p.Stderr())
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "GET /%s HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", path)
		b, _ := io.ReadAll(c)
		local := c.LocalAddr().String()
		c.Close()
		head, body, _ := strings.Cut(string(b), "\r\n\r\n")
		status := strings.SplitN(head, "\r\n", 2)[0]
		host, port, _ := net.SplitHostPort(body)
		if _, lport, _ := net.SplitHostPort(local); port == lport {
			port = "client"
		} else if port != "" {
			port = "*"
		}
		out = append(out, path+" "+status+" "+host+":"+port)
	}
	return out
}

// TestUsesrcNamespaceMatchesHAProxy: usesrc client, clientip and a
// foreign address the host does not own, with the routing a transparent
// proxy has, in a lab: the server sees the client's address and port, the
// client's address, and the foreign address, and the answers come back
// through the balancer. Compared with HAProxy 2.6.
func TestUsesrcNamespaceMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	cli, lb, _ := usesrcLab(t)
	cfg := haproxytest.WriteConfig(t, `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend f
    bind 10.77.0.1:80
    use_backend b_%[path,regsub(^/,)]
backend b_own
    source 10.77.0.1
    server s 10.77.0.3:8080
backend b_client
    source 0.0.0.0 usesrc client
    server s 10.77.0.3:8080
backend b_clientip
    source 0.0.0.0 usesrc clientip
    server s 10.77.0.3:8080
backend b_addr
    source 0.0.0.0 usesrc 10.77.0.9
    server s 10.77.0.3:8080
`)
	want := usesrcRun(t, cli, lb, []string{hp, "-db", "-f", cfg})
	got := usesrcRun(t, cli, lb, []string{"env", helperCfgEnv + "=" + cfg, os.Args[0], "-test.run=^TestGohaproxyHelper$", "-test.count=1"})
	diffLines(t, "what the server saw", want, got)
	exp := []string{"own HTTP/1.1 200 OK 10.77.0.1:*", "client HTTP/1.1 200 OK 10.77.0.2:client",
		"clientip HTTP/1.1 200 OK 10.77.0.2:*", "addr HTTP/1.1 200 OK 10.77.0.9:*"}
	diffLines(t, "goha", exp, got)
}
