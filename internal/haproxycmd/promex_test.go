package haproxycmd

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// promexCfg is the differential test's configuration: an exporter
// frontend (whose http-response rules apply to the exporter's answer too),
// an http frontend in front of a backend with a checked, an
// unchecked and a disabled server, and a tcp listen section (whose http
// metrics HAProxy leaves out).
const promexCfg = promexHead + `frontend prom
 bind %[2]s
 log %[6]s local0
 option httplog
 http-request use-service prometheus-exporter if { path /metrics }
 http-response set-header X-Test 1
 default_backend be
frontend web
 bind %[3]s
 default_backend be
backend be
 server s1 %[4]s check inter 100
 server s2 %[4]s
 server s3 %[5]s disabled
listen raw
 mode tcp
 bind %[7]s
 server t1 %[4]s
`

// promexHead opens the exporter tests' configurations: the stats socket
// (%[1]s) and the http defaults.
const promexHead = `global
 stats socket %[1]s level admin
defaults
 mode http
 timeout client 5s
 timeout server 5s
 timeout connect 1s
`

// startPromex starts bin with the configuration cfg makes of a stats
// socket path and a syslog listener's address, and waits for the socket
// to answer (the listeners are up then, and no probe connection was
// counted).
func startPromex(t *testing.T, bin string, cfg func(sock string, syslog net.Addr) string) (sock string, syslog *net.UDPConn) {
	t.Helper()
	sock = filepath.Join(t.TempDir(), "s.sock")
	syslog = loopback.ListenUDP(t)
	startWithConfig(t, bin, cfg(sock, syslog.LocalAddr()))
	haproxytest.StatsCmd(t, sock, "show info")
	return sock, syslog
}

// sameSortedLogs compares both daemons' log lines in sorted order
// (datagrams of concurrent writers), and haproxy's count with want.
func sameSortedLogs(t *testing.T, goha, ha []string, want int) {
	t.Helper()
	sort.Strings(goha)
	sort.Strings(ha)
	if x, y := strings.Join(goha, "\n"), strings.Join(ha, "\n"); x != y || len(ha) != want {
		t.Errorf("log lines\ngohaproxy:\n%s\nhaproxy:\n%s", x, y)
	}
}

// scrape is one exporter answer, reduced to what the test compares.
type scrape struct {
	status int
	head   string            // status line and headers, in order
	meta   []string          // "name TYPE help" per family
	series map[string]string // name{labels} -> value
}

func getScrape(t *testing.T, addr, query string) scrape {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET /metrics%s HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n", query)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("scrape %q: %v", query, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	s := scrape{status: resp.StatusCode, series: map[string]string{}}
	var names []string
	for k := range resp.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	s.head = resp.Proto + " " + resp.Status
	for _, k := range names {
		s.head += "\n" + strings.ToLower(k) + ": " + strings.Join(resp.Header[k], "|")
	}
	if len(resp.TransferEncoding) > 0 {
		s.head += "\ntransfer-encoding: " + strings.Join(resp.TransferEncoding, "|")
	}
	if s.status != 200 {
		s.series["body"] = string(body)
		return s
	}
	help := map[string]string{}
	for _, l := range strings.Split(string(body), "\n") {
		switch {
		case strings.HasPrefix(l, "# HELP "):
			name, text, _ := strings.Cut(strings.TrimPrefix(l, "# HELP "), " ")
			help[name] = text
		case strings.HasPrefix(l, "# TYPE "):
			name, typ, _ := strings.Cut(strings.TrimPrefix(l, "# TYPE "), " ")
			s.meta = append(s.meta, name+" "+typ+" "+help[name])
		case l != "":
			i := strings.LastIndexByte(l, ' ')
			s.series[l[:i]] = l[i+1:]
		}
	}
	sort.Strings(s.meta)
	return s
}

// rawHead sends req and returns the response up to the end of its head,
// byte for byte, and what follows it (a HEAD answer has nothing more).
func rawHead(t *testing.T, addr, req string) string {
	t.Helper()
	head, body, _ := strings.Cut(rawAll(t, addr, req), "\r\n\r\n")
	if strings.HasPrefix(req, "HEAD ") {
		return fmt.Sprintf("%q + %q", head, body)
	}
	return fmt.Sprintf("%q", head)
}

// seriesKeys lists the series with their labels in name order (the
// Prometheus library sorts them; HAProxy writes proxy, server, then the
// rest: the same set), the build's version string left out.
func seriesKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, canonicalSeries(versionLabel.ReplaceAllString(k, `version="X"`)))
	}
	sort.Strings(out)
	return out
}

func canonicalSeries(k string) string {
	name, labels, ok := strings.Cut(k, "{")
	if !ok {
		return k
	}
	l := strings.Split(strings.TrimSuffix(labels, "}"), ",")
	sort.Strings(l)
	return name + "{" + strings.Join(l, ",") + "}"
}

// setDiff says what only a has and what only b has.
func setDiff(a, b []string) string {
	in := func(s []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range s {
			m[x] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for _, x := range a {
		if !mb[x] {
			out = append(out, "only gohaproxy: "+x)
		}
	}
	for _, x := range b {
		if !ma[x] {
			out = append(out, "only haproxy:   "+x)
		}
	}
	return strings.Join(out, "\n")
}

var versionLabel = regexp.MustCompile(`version="[^"]*"`)

// equalCounters are the series the same requests drive: equal in both.
// Left out: timings, rates, bytes (header sizes differ), the current
// connection gauges (when a closed connection is reaped is timing) and the
// process's connections_total (HAProxy counts its health checks there).
var equalCounters = regexp.MustCompile(`^haproxy_(frontend_(http_requests_total|http_responses_total|intercepted_requests_total|sessions_total|connections_total)|` +
	`backend_(http_requests_total|http_responses_total|loadbalanced_total|status|active_servers|backup_servers|weight|uweight|agg_server_status)|` +
	`server_(http_responses_total|loadbalanced_total|sessions_total|status|weight|check_status|check_code)|` +
	`process_(requests_total|nbproc|relative_process_id|max_connections))[{ ]`)

// TestPromexDiff: `http-request use-service prometheus-exporter` beside
// HAProxy 2.6 on the same configuration and traffic: the same response
// head, metric names, TYPE and HELP lines and label sets, at every scope
// filter (a checked, a drained and a disabled server; a tcp section); the
// same values for the counters the requests drive; the same log line for
// the exporter's requests; byte-identical heads for an HTTP/1.0 GET and a
// HEAD.
func TestPromexDiff(t *testing.T) {
	haproxy := testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "server1")
	got := map[string]map[string]scrape{}
	logs := map[string][]string{}
	heads := map[string][]string{}
	queries := []string{"", "?scope=global", "?scope=frontend", "?scope=backend", "?scope=server", "?scope=server&no-maint",
		"?scope=frontend&scope=backend", "?scope=", "?scope=*", "?scope=global&scope=&scope=server", "?no-maint",
		"?foo=bar", "?scope=listener", "?scope=sticktable", "?scope=bogus", "?scope", "?scope=a=b", "?scope=%zz", "?scope=%67lobal"}
	for _, bin := range []string{gohaproxy, haproxy} {
		prom, front, raw := loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t)
		// No probe connection to the binds: HAProxy counts an empty one as
		// a request.
		sock, syslog := startPromex(t, bin, func(sock string, syslog net.Addr) string {
			return fmt.Sprintf(promexCfg, sock, prom, front, web.Addr, loopback.DeadAddr(t), syslog, raw)
		})
		time.Sleep(500 * time.Millisecond) // s1's first checks are in
		for i := 0; i < 3; i++ {
			if r := loopback.Get(t, front); r != "200 server1" {
				t.Fatalf("%s: %s", bin, r)
			}
		}
		if r := loopback.Get(t, prom); r != "200 server1" { // not /metrics: to the backend
			t.Fatalf("%s: %s", bin, r)
		}
		// A drained server: its state label and the backend's aggregates.
		if r := haproxytest.StatsCmd(t, sock, "set server be/s2 state drain"); strings.TrimSpace(r) != "" {
			t.Fatalf("%s: set server: %q", bin, r)
		}
		// HAProxy may count a response a moment after the client has it
		// (seen once in five runs): let it settle. Polling its socket
		// instead would add to the request totals compared below.
		time.Sleep(200 * time.Millisecond)
		got[bin] = map[string]scrape{}
		for _, q := range queries {
			got[bin][q] = getScrape(t, prom, q)
		}
		// The log lines of the exporter's requests, timers and dates out.
		n := 0
		readSyslog(syslog, func(d string) bool {
			if i := strings.Index(d, "] prom prom/<PROMEX>"); i >= 0 {
				f := strings.Fields(d[i+2:])
				timers := strings.Split(f[2], "/")
				for j, v := range timers {
					if v != "-1" {
						timers[j] = "t"
					}
				}
				logs[bin] = append(logs[bin], strings.Join([]string{f[0], f[1], strings.Join(timers, "/"), f[3], f[7], f[len(f)-2]}, " "))
			}
			n++
			return n < len(queries)+1 // and the request to the backend
		})
		heads[bin] = append(heads[bin], rawHead(t, prom, "GET /metrics?scope=global HTTP/1.0\r\n\r\n"),
			rawHead(t, prom, "HEAD /metrics?scope=global HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"))
	}
	g, h := got[gohaproxy], got[haproxy]
	if x, y := strings.Join(heads[gohaproxy], "\n--\n"), strings.Join(heads[haproxy], "\n--\n"); x != y {
		t.Errorf("raw heads (HTTP/1.0 GET, HEAD)\ngohaproxy:\n%s\nhaproxy:\n%s", x, y)
	}
	for _, q := range queries {
		a, b := g[q], h[q]
		if a.head != b.head {
			t.Errorf("%q: head\ngohaproxy:\n%s\nhaproxy:\n%s", q, a.head, b.head)
		}
		if d := setDiff(a.meta, b.meta); d != "" {
			t.Errorf("%q: names, TYPE and HELP differ:\n%s", q, d)
		}
		if d := setDiff(seriesKeys(a.series), seriesKeys(b.series)); d != "" {
			t.Errorf("%q: series differ:\n%s", q, d)
		}
		if a.status != 200 && a.series["body"] != b.series["body"] {
			t.Errorf("%q: body\ngohaproxy: %q\nhaproxy: %q", q, a.series["body"], b.series["body"])
		}
	}
	if n := len(h[""].meta); n < 150 {
		t.Errorf("haproxy: only %d metrics", n)
	}
	full := h[""].series
	goSeries := map[string]string{}
	for k, v := range g[""].series {
		goSeries[canonicalSeries(k)] = v
	}
	compared := 0
	for k, v := range full {
		k = canonicalSeries(k)
		if !equalCounters.MatchString(k + " ") {
			continue
		}
		compared++
		if gv, ok := goSeries[canonicalSeries(k)]; !ok || gv != v {
			t.Errorf("%s: gohaproxy %q, haproxy %q", k, gv, v)
		}
	}
	if compared < 40 {
		t.Errorf("only %d series compared by value", compared)
	}
	sort.Strings(logs[gohaproxy]) // datagrams of concurrent writers
	sort.Strings(logs[haproxy])
	if x, y := strings.Join(logs[gohaproxy], "\n"), strings.Join(logs[haproxy], "\n"); x != y || len(logs[haproxy]) != len(queries) {
		t.Errorf("exporter log lines\ngohaproxy:\n%s\nhaproxy:\n%s", x, y)
	}
}
