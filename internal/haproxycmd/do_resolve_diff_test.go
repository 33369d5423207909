package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/dnstest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"golang.org/x/net/dns/dnsmessage"
)

// doResolveCfg: HTTP do-resolve rules chosen by the x-fam header, and
// tcp-mode frontends whose set-dst sends the connection to the resolved
// address (seven) or, unresolved, to the one it came to (127.0.0.1). A server
// of the section follows srv.test, whose answer do-resolve may reuse.
const doResolveCfg = adminHead + `resolvers dns
    nameserver ns1 %[2]s
    resolve_retries 2
    timeout retry 300ms
    hold valid 10s
resolvers mute
    nameserver ns1 %[3]s
    resolve_retries 2
    timeout retry 300ms
frontend fe
    bind %[4]s
    http-request do-resolve(txn.ip,dns) hdr(x-name) if { hdr(x-fam) -m str def }
    http-request do-resolve(txn.ip,dns,ipv4) hdr(x-name) if { hdr(x-fam) -m str 4 }
    http-request do-resolve(txn.ip,dns,ipv6) hdr(x-name) if { hdr(x-fam) -m str 6 }
    http-request do-resolve(txn.ip,mute) hdr(x-name) if { hdr(x-fam) -m str mute }
    http-request return status 200 content-type text/plain lf-string "ip=%%[var(txn.ip)]"
frontend tnow
    mode tcp
    bind %[5]s
    tcp-request content do-resolve(txn.ip,dns,ipv4) str(a.test)
    tcp-request content set-dst var(txn.ip)
    default_backend dst
frontend twait
    mode tcp
    bind %[6]s
    tcp-request inspect-delay 3s
    tcp-request content do-resolve(txn.ip,dns,ipv4) str(a.test)
    tcp-request content set-dst var(txn.ip)
    default_backend dst
frontend tmute
    mode tcp
    bind %[7]s
    tcp-request inspect-delay 400ms
    tcp-request content do-resolve(txn.ip,mute,ipv4) str(a.test)
    tcp-request content set-dst var(txn.ip)
    default_backend dst
frontend tsrv
    mode tcp
    bind %[8]s
    tcp-request content do-resolve(txn.ip,dns) str(srv.test)
    tcp-request content set-dst var(txn.ip)
    default_backend dst
backend dst
    mode tcp
    server s 0.0.0.0:%[9]d
backend follow
    server f srv.test:%[9]d resolvers dns init-addr none
`

type doResolveDaemon struct {
	name                   string
	fe, tnow, twait, tmute string
	tsrv                   string
}

// TestDoResolveMatchesHAProxy runs do-resolve beside HAProxy 2.6.12 with
// a DNS server on 127.0.0.1: the address stored for each family option
// (IPv6 first by default, the other family when the preferred has no
// record), nothing for NXDOMAIN, REFUSED, a silent nameserver or a name
// with an empty label, the questions each request asks, how long the
// stream waits (an error retries after timeout retry, silence takes every
// try), one resolution shared by concurrent streams, and in tcp mode: no
// wait without inspect-delay, the answer with it, the inspect delay
// ending the wait, and a server's fresh answer used without waiting.
func TestDoResolveMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	dns, err := dnstest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	dns.Set("a.test", "127.0.0.7", "127.0.0.8", "127.0.0.9")
	dns.Set("six.test", "::1")
	dns.Set("both.test", "127.0.0.5", "::1")
	dns.Set("srv.test", "127.0.0.7")
	dns.Fail("ref.test", dnsmessage.RCodeRefused)
	mute := loopback.ListenUDP(t) // never read: no answer
	port := webOnIPs(t, map[string]string{"127.0.0.7": "seven", "127.0.0.1": "unresolved"})
	var both []doResolveDaemon
	for _, ha := range []bool{true, false} {
		dir := t.TempDir()
		d := doResolveDaemon{name: "goha", fe: loopback.FreeAddr(t), tnow: loopback.FreeAddr(t), twait: loopback.FreeAddr(t),
			tmute: loopback.FreeAddr(t), tsrv: loopback.FreeAddr(t)}
		if ha {
			d.name = "haproxy"
		}
		path := filepath.Join(dir, "r.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(doResolveCfg, dir, dns.Addr(), mute.LocalAddr(), d.fe, d.tnow, d.twait,
			d.tmute, d.tsrv, port)), 0o644)
		runLogged(t, ha, path)
		loopback.WaitListen(t, d.fe)
		both = append(both, d)
	}
	type answer struct {
		body  string
		asked int
		took  time.Duration
	}
	ask := func(d doResolveDaemon, name, fam string) answer {
		t.Helper()
		before := dns.Asked(name)
		start := time.Now()
		body := doResolveGet(t, d.fe, name, fam)
		return answer{body, dns.Asked(name) - before, time.Since(start)}
	}
	for _, c := range []struct {
		name, fam string
		minWait   time.Duration
	}{
		{"a.test", "def", 0}, {"a.test", "4", 0}, {"a.test", "6", 0},
		{"six.test", "def", 0}, {"six.test", "4", 0}, {"both.test", "def", 0}, {"both.test", "4", 0}, {"both.test", "6", 0},
		{"A.Test.", "4", 0}, {"a..test", "4", 0}, {".a.test", "4", 0}, {"", "4", 0},
		// an error answer on both types: a second try timeout retry later
		{"nx.test", "def", 300 * time.Millisecond}, {"ref.test", "4", 300 * time.Millisecond},
		// no answer: both tries of timeout retry
		{"a.test", "mute", 600 * time.Millisecond},
	} {
		var got [2]answer
		for i, d := range both {
			got[i] = ask(d, c.name, c.fam)
			if got[i].took < c.minWait || got[i].took > c.minWait+2*time.Second {
				t.Errorf("%s %s: %s answered after %v, want %v or a little more", c.name, c.fam, d.name, got[i].took, c.minWait)
			}
		}
		if d := got[1].took - got[0].took; c.minWait > 0 && (d > 250*time.Millisecond || d < -250*time.Millisecond) {
			t.Errorf("%s %s: goha answered after %v, haproxy after %v", c.name, c.fam, got[1].took, got[0].took)
		}
		if got[0].body != got[1].body || got[0].asked != got[1].asked {
			t.Errorf("%s %s: haproxy %q (%d questions), goha %q (%d questions)", c.name, c.fam,
				got[0].body, got[0].asked, got[1].body, got[1].asked)
		}
	}
	if got := ask(both[0], "both.test", "def"); got.body != "ip=::1" {
		t.Fatalf("haproxy's default preference: %q (the test's premise)", got.body)
	}
	// three streams at once share one resolution (two tries of two
	// questions), which each drops once it ends
	for _, d := range both {
		before := dns.Asked("nx.test")
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() { defer wg.Done(); doResolveGet(t, d.fe, "nx.test", "4") }()
		}
		wg.Wait()
		if n := dns.Asked("nx.test") - before; n != 4 {
			t.Errorf("%s: three concurrent streams asked %d questions, want 4", d.name, n)
		}
	}
	// tcp mode
	for _, d := range both {
		before := dns.Asked("a.test")
		if got := tcpGet(t, d.tnow); got != "unresolved" {
			t.Errorf("%s: without inspect-delay the connection went to %q, want unresolved (not resolved)", d.name, got)
		}
		if n := dns.Asked("a.test") - before; n != 0 {
			t.Errorf("%s: without inspect-delay %d questions were asked, want none", d.name, n)
		}
		if got := tcpGet(t, d.twait); got != "seven" {
			t.Errorf("%s: with inspect-delay the connection went to %q, want seven", d.name, got)
		}
		start := time.Now()
		if got := tcpGet(t, d.tmute); got != "unresolved" {
			t.Errorf("%s: a silent nameserver sent the connection to %q, want unresolved", d.name, got)
		}
		if took := time.Since(start); took < 400*time.Millisecond || took > 2*time.Second {
			t.Errorf("%s: a silent nameserver held the connection %v, want the inspect delay (400ms)", d.name, took)
		}
		// the server's resolution of srv.test answers without a question
		got := ""
		for i := 0; i < 30 && got != "seven"; i++ {
			if got = tcpGet(t, d.tsrv); got != "seven" {
				time.Sleep(100 * time.Millisecond)
			}
		}
		if got != "seven" {
			t.Errorf("%s: do-resolve of a name a server follows went to %q, want seven (its fresh answer)", d.name, got)
		}
	}
}

// doResolveGet asks fe with the name and family headers and gives the body.
func doResolveGet(t *testing.T, fe, name, fam string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+fe+"/", nil)
	req.Header.Set("x-name", name)
	req.Header.Set("x-fam", fam)
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", fe, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b))
}

// tcpGet sends an HTTP request through a tcp-mode frontend and gives the
// name of the web server that answered ("" when none did).
func tcpGet(t *testing.T, fe string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", fe, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	b, _ := io.ReadAll(c)
	_, body, _ := strings.Cut(string(b), "\r\n\r\n")
	return strings.TrimSpace(body)
}
