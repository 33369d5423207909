package haproxycfg

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
)

// benchRules is the rules case of make bench (scripts/bench.sh): 20
// header rules, 10 ACLs and a map lookup per request.
const benchRules = `    acl is_api path_beg /api/
    acl is_css path_end .css
    acl is_example hdr(host) -i example.com
    acl is_post method POST
    acl from_lan src 10.0.0.0/8 192.168.0.0/16
    acl is_bot hdr_sub(user-agent) -i bot crawler
    acl has_query query -m found
    acl is_js path_reg ^/static/.*[.]js$
    acl many_hops hdr_cnt(x-forwarded-for) gt 3
    acl debug url_param(debug) -m found
    http-request set-var(txn.be) req.hdr(host),lower,map_str(MAP,servers)
    http-request deny if is_post from_lan is_bot
    http-request deny deny_status 429 if many_hops debug
    http-request set-header X-Backend %[var(txn.be)]
    http-request set-header X-Api 1 if is_api
    http-request set-header X-Css 1 if is_css
    http-request set-header X-Example 1 if is_example
    http-request set-header X-Query 1 if has_query
    http-request set-header X-Js 1 if is_js
    http-request set-header X-Client %[src]
    http-request set-header X-Path %[path,lower]
    http-request add-header X-Via goha-bench
    http-request add-header X-Hops %[req.hdr_cnt(x-forwarded-for)]
    http-request del-header X-Debug
    http-request del-header Proxy
    http-request set-header X-Method %[method]
    http-request set-header X-Host %[req.hdr(host),lower]
    http-request set-header X-Bot 1 if is_bot
    http-request set-header X-Lan 1 if from_lan
    http-request set-header X-Len %[req.hdr(user-agent),length]
    http-request add-header X-Seen 1
    http-request set-header X-Hash %[path,crc32]
    http-request del-header X-Unused
    use_backend %[var(txn.be)]
`

// BenchmarkRulesKeepAlive is one kept-alive client through the rules of
// make bench's rules case, against BenchmarkPlainKeepAlive without them:
// their difference is what the rules cost per request (allocs included).
func BenchmarkRulesKeepAlive(b *testing.B) { benchmarkRules(b, benchRules) }

// BenchmarkPlainKeepAlive is BenchmarkRulesKeepAlive without the rules.
func BenchmarkPlainKeepAlive(b *testing.B) { benchmarkRules(b, "") }

// BenchmarkBackendRulesKeepAlive is BenchmarkRulesKeepAlive with the
// rules (but use_backend) in the backend: what running them there costs
// beside the frontend's.
func BenchmarkBackendRulesKeepAlive(b *testing.B) {
	be := strings.Replace(benchRules, "    use_backend %[var(txn.be)]\n", "", 1)
	do := startRulesClientIn(b, "", be)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		do()
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

func benchmarkRules(b *testing.B, rules string) {
	do := startRulesClient(b, rules)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		do()
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// startRulesClient starts a proxy whose frontend has rules in front of a
// server answering "ok" to every request, and returns a function that
// sends one request on a kept-alive connection and reads its answer.
// Nothing in the client or the server allocates per request.
func startRulesClient(tb testing.TB, rules string) (do func()) {
	return startRulesClientIn(tb, rules, "")
}

// benchRequest is the request of the rules benchmarks.
const benchRequest = "GET /bench/x.css?a=1 HTTP/1.1\r\nHost: bench\r\nUser-Agent: wrk\r\n\r\n"

// startRulesClientIn is startRulesClient with beRules in the backend.
func startRulesClientIn(tb testing.TB, rules, beRules string) (do func()) {
	web := startAnswering(tb, []byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"))
	return startRulesClientTo(tb, web, rules, beRules, benchRequest)
}

// startRulesClientTo is startRulesClientIn towards the server web, the
// client sending req.
func startRulesClientTo(tb testing.TB, web, rules, beRules, req string) (do func()) {
	fe := loopback.FreeAddr(tb)
	m := filepath.Join(tb.TempDir(), "hosts.map")
	os.WriteFile(m, []byte("bench servers\nexample.com servers\n"), 0o644)
	cfg := "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n" +
		"frontend rules\n    bind " + fe + "\n" + strings.ReplaceAll(rules, "MAP", m) + "    default_backend servers\n" +
		"backend servers\n" + strings.ReplaceAll(beRules, "MAP", m) + "    server web1 " + web + "\n"
	_, px := gohaRun(tb, cfg, false, nil)
	c, err := net.Dial("tcp", px.Addrs()[0].String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	reqb := []byte(req)
	c.Write(reqb)
	first := make([]byte, 4096)
	n, err := c.Read(first)
	if err != nil || !bytes.HasSuffix(first[:n], []byte("ok\n")) {
		tb.Fatalf("first response %q %v", first[:n], err)
	}
	buf := first[:n]
	return func() {
		if _, err := c.Write(reqb); err != nil {
			tb.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkRulesEval is the sample engine's share of the rules case, off
// the network: the conditions, set-var and header values of its rules and
// the dynamic use_backend name, on one parsed request (the header edits
// themselves are the proxy's, left out: BenchmarkHeaderRuleEdits in
// proxy). Each round ends its transaction as the proxy does, so that the
// variables' scratch is reused rather than grown (without it the
// benchmark allocated and measured the garbage collector).
func BenchmarkRulesEval(b *testing.B) {
	fe, info := rulesEvalSetup(b)
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		buf = evalRules(fe, info, buf)
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkRulesEvalCold is BenchmarkRulesEval with, before each
// evaluation, what the network path between two requests of the running
// process does to the processor: a walk over 64 KB or 256 KB of memory
// (the data caches taken), a write and a read of 64 bytes or 4 KB
// through a socket pair, a getpid (a system call alone), or a byte
// written in each of 4,096 pages (the data TLB taken, little of the
// caches). eval-ns/op is the median of the evaluations alone, each timed
// around it less the clock reads' own cost (a median: a neighbour taking
// the processor during one adds milliseconds to it).
func BenchmarkRulesEvalCold(b *testing.B) {
	for _, kb := range []int{64, 256} {
		walk := make([]byte, kb<<10)
		b.Run(fmt.Sprintf("%dKB", kb), func(b *testing.B) {
			evalColdAfter(b, func() {
				for i := 0; i < len(walk); i += 64 {
					walk[i]++
				}
			})
		})
	}
	for _, size := range []int{64, 4096} {
		b.Run(fmt.Sprintf("socket%d", size), func(b *testing.B) {
			fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer syscall.Close(fds[0])
			defer syscall.Close(fds[1])
			msg := make([]byte, size)
			evalColdAfter(b, func() {
				syscall.Write(fds[0], msg)
				for got := 0; got < len(msg); { // (a stream: it may come in parts)
					n, err := syscall.Read(fds[1], msg)
					if err != nil || n <= 0 {
						b.Fatal(err)
					}
					got += n
				}
			})
		})
	}
	b.Run("getpid", func(b *testing.B) { evalColdAfter(b, func() { syscall.Getpid() }) })
	pages := make([]byte, 16<<20)
	b.Run("pages", func(b *testing.B) { // a byte of 4,096 pages: the data TLB taken, little of the caches
		evalColdAfter(b, func() {
			for i := 0; i < len(pages); i += 4096 {
				pages[i]++
			}
		})
	})
}

// evalColdAfter is BenchmarkRulesEvalCold's round: between evaluates.
func evalColdAfter(b *testing.B, between func()) {
	fe, info := rulesEvalSetup(b)
	buf := make([]byte, 0, 1024)
	clock := time.Duration(1 << 62)
	for range 1000 { // the clock reads alone: the least of a thousand
		t0 := time.Now()
		clock = min(clock, time.Since(t0))
	}
	spent := make([]time.Duration, 0, 1<<16) // the last 65,536 kept
	for b.Loop() {
		between()
		t0 := time.Now()
		buf = evalRules(fe, info, buf)
		d := time.Since(t0) - clock
		if len(spent) == cap(spent) {
			spent = spent[:0]
		}
		spent = append(spent, d)
	}
	slices.Sort(spent)
	b.ReportMetric(float64(spent[len(spent)/2]), "eval-ns/op")
}

// evalRules is one round of BenchmarkRulesEval: fe's http-request rules'
// conditions, values and set-vars, then its dynamic use_backend names.
func evalRules(fe *proxy.Frontend, info *proxy.RequestInfo, buf []byte) []byte {
	info.EndTransaction() // as the proxy does before each request
	buf = buf[:0]
	for i := range fe.RequestRules {
		r := &fe.RequestRules[i]
		if r.Cond != nil && !r.Cond.Match(info) {
			continue
		}
		switch {
		case r.AppendFormat != nil:
			buf = r.AppendFormat(buf, info)
		case r.Exec != nil:
			r.Exec(info)
		}
	}
	for _, u := range fe.UseBackends {
		buf = u.Dynamic(buf, info)
	}
	return buf
}

// BenchmarkRulesEachRule is BenchmarkRulesEval one rule at a time (its
// condition, then its value or set-var), named by its place among the
// rules and its action: what each kind of rule costs the sample engine.
func BenchmarkRulesEachRule(b *testing.B) {
	fe, info := rulesEvalSetup(b)
	var lines []string // the http-request lines, in the rules' order
	for _, l := range strings.Split(benchRules, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "http-request ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != len(fe.RequestRules) {
		b.Fatalf("%d rules for %d lines", len(fe.RequestRules), len(lines))
	}
	buf := make([]byte, 0, 1024)
	for i := range fe.RequestRules {
		r := &fe.RequestRules[i]
		name := strings.NewReplacer(" ", "_", "/", "_").Replace(strings.TrimPrefix(lines[i], "http-request "))
		b.Run(fmt.Sprintf("%02d_%.40s", i, name), func(b *testing.B) {
			cpu0 := processCPU()
			for b.Loop() {
				info.EndTransaction()
				if r.Cond != nil {
					r.Cond.Match(info)
				}
				switch {
				case r.AppendFormat != nil:
					buf = r.AppendFormat(buf[:0], info)
				case r.Exec != nil:
					r.Exec(info)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// rulesEvalSetup builds benchRules' frontend (not run) and parses the
// benchmark's request for it.
func rulesEvalSetup(b *testing.B) (*proxy.Frontend, *proxy.RequestInfo) {
	m := filepath.Join(b.TempDir(), "hosts.map")
	os.WriteFile(m, []byte("bench servers\nexample.com servers\n"), 0o644)
	cfg := "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n" +
		"frontend rules\n    bind 127.0.0.1:1\n" + strings.ReplaceAll(benchRules, "MAP", m) + "    default_backend servers\n" +
		"backend servers\n    server web1 127.0.0.1:2\n"
	res := haproxy.CheckBytes("bench.cfg", []byte(cfg), nil)
	if res.Exit != 0 {
		b.Fatalf("config exit %d: %+v", res.Exit, res.Diags.List)
	}
	fe := Build(res.Config).Proxy.Frontends[0]
	var req http1.Request
	if err := req.Parse([]byte(benchRequest)); err != nil {
		b.Fatal(err)
	}
	return fe, proxy.NewRequestInfo(netip.MustParseAddrPort("127.0.0.1:40000"), &req)
}
