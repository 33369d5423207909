package balance

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// These tests run the real HAProxy 2.6 on 127.0.0.1 in front of three tiny
// Go backends that answer their own name, send requests through it and
// compare the sequence of servers with what our balancer picks for the same
// requests. They skip when haproxy is not installed.

// startNamedBackends starts n HTTP servers on 127.0.0.1 answering
// "web<i>" and returns their addresses.
func startNamedBackends(t *testing.T, n int) []string {
	t.Helper()
	var addrs []string
	for i := 1; i <= n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("web%d", i)
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, name)
		})}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs
}

// haproxySequence starts haproxy with the given backend lines and returns
// the server names answering the given request targets, in order.
func haproxySequence(t *testing.T, backend string, weights []int, targets []string, header map[string]string) []string {
	t.Helper()
	testenv.LookPath(t, "haproxy")
	addrs := startNamedBackends(t, len(weights))
	front := loopback.FreeAddr(t)
	var b strings.Builder
	sock := shortSock(t)
	fmt.Fprintf(&b, "global\n    maxconn 200\n    stats socket %s level admin\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n", sock)
	fmt.Fprintf(&b, "listen lb\n    bind %s\n%s", front, backend)
	for i, a := range addrs {
		fmt.Fprintf(&b, "    server web%d %s weight %d\n", i+1, a, weights[i])
	}
	difftest.StartHAProxy(t, b.String(), front)
	var got []string
	for _, target := range targets {
		got = append(got, fetchNames(t, front, []string{target}, header)...)
		waitSessions(t, sock, 0)
	}
	return got
}

// waitSessions polls haproxy's `show stat` until its servers carry n
// sessions in total. A response reaches the client before haproxy has
// released the server connection, and leastconn/first read that count.
func waitSessions(t *testing.T, sock string, n int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		total := 0
		for _, line := range strings.Split(adminQuery(t, sock, "show stat"), "\n") {
			f := strings.Split(line, ",")
			if len(f) > 4 && !strings.HasPrefix(line, "#") && f[1] != "FRONTEND" && f[1] != "BACKEND" {
				v, _ := strconv.Atoi(f[4]) // scur
				total += v
			}
		}
		if total == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy servers carry %d sessions, want %d", total, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// fetchNames sends one GET per target (a new connection each) and returns
// the bodies (backend names).
func fetchNames(t *testing.T, front string, targets []string, header map[string]string) []string {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var got []string
	for _, target := range targets {
		req, err := http.NewRequest("GET", "http://"+front+target, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			if strings.EqualFold(k, "host") {
				req.Host = v // net/http sends req.Host, not a Host header
				continue
			}
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			body = []byte("-") // no server: what Pick's nil prints
		}
		got = append(got, string(body))
	}
	return got
}

func ourSequence(t *testing.T, algo string, args []string, o Options, weights []int, targets []string, header map[string]string) []string {
	b := mustNew(t, algo, args, servers(weights...), o)
	var got []string
	for _, target := range targets {
		lookup := func(name string) (string, bool) {
			for k, v := range header {
				if strings.EqualFold(k, name) {
					return v, true
				}
			}
			return "", false
		}
		r := &Request{Src: netip.MustParseAddr("127.0.0.1"), URI: target, Header: lookup, LastHeader: lookup}
		s := b.Pick(r)
		if s == nil {
			got = append(got, "-")
			continue
		}
		got = append(got, s.Name)
	}
	return got
}

func repeat(target string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = target
	}
	return out
}

func TestDifferentialAgainstHAProxy(t *testing.T) {
	uris := []string{"/", "/a", "/a/b", "/a/b/c?x=1", "/img/logo.png", "/img/x.png?v=2", "/api/v1/users", "/api/v2/users",
		"/search?q=go&page=1", "/search?page=2&q=go", "/static/css/site.css", "/x", "/y", "/z", "/index.html", "/a/b/d"}
	cases := []struct {
		name    string
		backend string
		algo    string
		args    []string
		hash    Options // the backend's hash-type line, as proxy/haproxycfg maps it
		weights []int
		targets []string
		header  map[string]string
	}{
		{name: "roundrobin equal", backend: "    balance roundrobin\n", algo: "roundrobin", weights: []int{1, 1, 1}, targets: repeat("/", 12)},
		{name: "roundrobin 1/2/3", backend: "    balance roundrobin\n", algo: "roundrobin", weights: []int{1, 2, 3}, targets: repeat("/", 24)},
		{name: "roundrobin 3/0/1", backend: "    balance roundrobin\n", algo: "roundrobin", weights: []int{3, 0, 1}, targets: repeat("/", 16)},
		{name: "roundrobin 5/7/11", backend: "    balance roundrobin\n", algo: "roundrobin", weights: []int{5, 7, 11}, targets: repeat("/", 46)},
		{name: "static-rr 1/2/3", backend: "    balance static-rr\n", algo: "static-rr", weights: []int{1, 2, 3}, targets: repeat("/", 18)},
		{name: "static-rr 4/2/6", backend: "    balance static-rr\n", algo: "static-rr", weights: []int{4, 2, 6}, targets: repeat("/", 18)},
		{name: "leastconn idle 1/1/1", backend: "    balance leastconn\n", algo: "leastconn", weights: []int{1, 1, 1}, targets: repeat("/", 9)},
		{name: "leastconn idle 1/2/3", backend: "    balance leastconn\n", algo: "leastconn", weights: []int{1, 2, 3}, targets: repeat("/", 9)},
		{name: "first", backend: "    balance first\n", algo: "first", weights: []int{1, 1, 1}, targets: repeat("/", 4)},
		{name: "source map-based", backend: "    balance source\n", algo: "source", weights: []int{1, 1, 1}, targets: repeat("/", 6)},
		{name: "source 1/2/3 consistent", backend: "    balance source\n    hash-type consistent\n", algo: "source", hash: Options{Consistent: true, Avalanche: true}, weights: []int{1, 2, 3}, targets: repeat("/", 4)},
		{name: "source avalanche", backend: "    balance source\n    hash-type map-based sdbm avalanche\n", algo: "source", hash: Options{Avalanche: true}, weights: []int{1, 2, 3}, targets: repeat("/", 4)},
		{name: "uri", backend: "    balance uri\n", algo: "uri", weights: []int{1, 1, 1}, targets: uris},
		{name: "uri whole", backend: "    balance uri whole\n", algo: "uri", args: []string{"whole"}, weights: []int{1, 1, 1}, targets: uris},
		{name: "uri depth 1", backend: "    balance uri depth 1\n", algo: "uri", args: []string{"depth", "1"}, weights: []int{1, 2, 1}, targets: uris},
		{name: "uri len 3", backend: "    balance uri len 3\n", algo: "uri", args: []string{"len", "3"}, weights: []int{1, 1, 1}, targets: uris},
		{name: "uri consistent", backend: "    balance uri\n    hash-type consistent\n", algo: "uri", hash: Options{Consistent: true, Avalanche: true}, weights: []int{1, 1, 1}, targets: uris},
		{name: "uri djb2", backend: "    balance uri\n    hash-type map-based djb2\n", algo: "uri", hash: Options{Func: DJB2}, weights: []int{2, 1, 1}, targets: uris},
		{name: "uri wt6 consistent", backend: "    balance uri\n    hash-type consistent wt6\n", algo: "uri", hash: Options{Consistent: true, Func: WT6}, weights: []int{1, 1, 1}, targets: uris},
		{name: "uri crc32 avalanche", backend: "    balance uri\n    hash-type consistent crc32 avalanche\n", algo: "uri", hash: Options{Consistent: true, Func: CRC32, Avalanche: true}, weights: []int{1, 3, 1}, targets: uris},
		{name: "url_param", backend: "    balance url_param q\n", algo: "url_param", args: []string{"q"}, weights: []int{1, 1, 1},
			targets: []string{"/?q=a", "/?q=b", "/?x=1&q=c", "/?q=d&x=2", "/?q=e", "/?q=f", "/?q=g", "/?q=", "/nothing", "/nothing", "/nothing", "/?qq=1"}},
		{name: "hdr(host) use_domain_only", backend: "    balance hdr(host) use_domain_only\n", algo: "hdr(host)", args: []string{"use_domain_only"}, weights: []int{1, 1, 1},
			targets: repeat("/", 3), header: map[string]string{"Host": "www.example.com"}},
		{name: "hdr(host) use_domain_only with port", backend: "    balance hdr(host) use_domain_only\n", algo: "hdr(host)", args: []string{"use_domain_only"}, weights: []int{1, 1, 1},
			targets: repeat("/", 2), header: map[string]string{"Host": "shop.example.org:8080"}},
		{name: "hdr(host) 2/1/1", backend: "    balance hdr(host)\n", algo: "hdr(host)", weights: []int{2, 1, 1},
			targets: repeat("/", 2), header: map[string]string{"Host": "a.b.c"}},
		// Keys with bytes >= 0x80 (UTF-8 "é", "ü", "ÿÿ"): HAProxy hashes them
		// as unsigned bytes.
		{name: "hdr(x-key) sdbm non-ASCII", backend: "    balance hdr(X-Key)\n    hash-type map-based sdbm\n", algo: "hdr(X-Key)", weights: []int{1, 1, 1},
			targets: repeat("/", 1), header: map[string]string{"X-Key": "é"}},
		{name: "hdr(x-key) sdbm non-ASCII 2", backend: "    balance hdr(X-Key)\n    hash-type map-based sdbm\n", algo: "hdr(X-Key)", weights: []int{1, 1, 1},
			targets: repeat("/", 1), header: map[string]string{"X-Key": "ü"}},
		{name: "hdr(x-key) djb2 non-ASCII", backend: "    balance hdr(X-Key)\n    hash-type map-based djb2\n", algo: "hdr(X-Key)", hash: Options{Func: DJB2}, weights: []int{1, 2, 1},
			targets: repeat("/", 1), header: map[string]string{"X-Key": "ÿÿ"}},
		{name: "hash path", backend: "    balance hash path\n", algo: "hash", args: []string{"path"}, weights: []int{1, 1, 1}, targets: uris},
		{name: "hash url 2/1/3", backend: "    balance hash url\n", algo: "hash", args: []string{"url"}, weights: []int{2, 1, 3}, targets: uris},
		{name: "hash path consistent djb2", backend: "    balance hash path\n    hash-type consistent djb2\n", algo: "hash", args: []string{"path"}, hash: Options{Consistent: true, Func: DJB2}, weights: []int{1, 1, 1}, targets: uris},
		{name: "hash urlp(q)", backend: "    balance hash urlp(q)\n", algo: "hash", args: []string{"urlp(q)"}, weights: []int{1, 1, 1},
			targets: []string{"/?q=a", "/?q=b", "/?x=1&q=c", "/?q=d&x=2", "/?q=e", "/?q=f", "/?q=g", "/?q=", "/nothing", "/nothing", "/nothing", "/?qq=1"}},
		{name: "hash req.hdr(x-key)", backend: "    balance hash req.hdr(X-Key)\n", algo: "hash", args: []string{"req.hdr(X-Key)"}, weights: []int{1, 1, 1},
			targets: repeat("/", 3), header: map[string]string{"X-Key": "customer-42"}},
		{name: "hash req.hdr(x-key) list", backend: "    balance hash req.hdr(X-Key)\n", algo: "hash", args: []string{"req.hdr(X-Key)"}, weights: []int{1, 1, 1},
			targets: repeat("/", 3), header: map[string]string{"X-Key": "first, customer-7 "}},
		{name: "hash req.hdr(x-key) list 2", backend: "    balance hash req.hdr(X-Key)\n", algo: "hash", args: []string{"req.hdr(X-Key)"}, weights: []int{1, 1, 1},
			targets: repeat("/", 2), header: map[string]string{"X-Key": "k1,k2,k3"}},
		{name: "hash req.hdr(x-key) list 3", backend: "    balance hash req.hdr(X-Key)\n", algo: "hash", args: []string{"req.hdr(X-Key)"}, weights: []int{1, 1, 1},
			targets: repeat("/", 2), header: map[string]string{"X-Key": "tenant-9, tenant-3"}},
		{name: "hash req.hdr(x-key) list 4", backend: "    balance hash req.hdr(X-Key)\n", algo: "hash", args: []string{"req.hdr(X-Key)"}, weights: []int{2, 1, 1},
			targets: repeat("/", 2), header: map[string]string{"X-Key": "zz,\tyy"}},
		{name: "hash hdr(x-key) missing", backend: "    balance hash hdr(X-Key)\n", algo: "hash", args: []string{"hdr(X-Key)"}, weights: []int{1, 1, 1},
			targets: repeat("/", 6)},
		{name: "hash hdr(host) consistent", backend: "    balance hash hdr(host)\n    hash-type consistent\n", algo: "hash", args: []string{"hdr(host)"}, hash: Options{Consistent: true, Avalanche: true}, weights: []int{1, 2, 1},
			targets: repeat("/", 3), header: map[string]string{"Host": "shop.example.org"}},
		{name: "hash src", backend: "    balance hash src\n", algo: "hash", args: []string{"src"}, weights: []int{1, 1, 1}, targets: repeat("/", 4)},
		{name: "hash src avalanche", backend: "    balance hash src\n    hash-type map-based sdbm avalanche\n", algo: "hash", args: []string{"src"}, hash: Options{Avalanche: true}, weights: []int{1, 2, 3}, targets: repeat("/", 4)},
		{name: "hdr(x-key)", backend: "    balance hdr(X-Key)\n", algo: "hdr(X-Key)", weights: []int{1, 1, 1},
			targets: repeat("/", 3), header: map[string]string{"X-Key": "customer-42"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.hash
			want := haproxySequence(t, tc.backend, tc.weights, tc.targets, tc.header)
			got := ourSequence(t, tc.algo, tc.args, o, tc.weights, tc.targets, tc.header)
			if strings.Join(want, " ") != strings.Join(got, " ") {
				t.Errorf("targets %q\nhaproxy: %v\ngoha:    %v", tc.targets, want, got)
			}
		})
	}
}

// shortSock returns a stats socket path short enough for sun_path (108
// bytes): t.TempDir() paths carry the whole test name.
func shortSock(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bal")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "s.sock")
}
