package proxy

import (
	"bytes"
	"net/netip"
	"syscall"
	"testing"
)

// fixedCond is a condition with a fixed outcome, so that the benchmark
// below measures the header edits alone (the sample engine's share is
// haproxycfg's BenchmarkRulesEval).
type fixedCond bool

func (c fixedCond) Match(*RequestInfo) bool { return bool(c) }

// BenchmarkHeaderRuleEdits is the proxy's share of make bench's rules
// case, off the network: the http-request rules of its shape (16
// set-header, 3 add-header and 3 del-header rules, the values of 12 made
// per request, conditions fixed) on one request, and the head written to
// the server.
func BenchmarkHeaderRuleEdits(b *testing.B) {
	cfg := seedConfig("127.0.0.1:1")
	fe := cfg.Frontends[0]
	val := func(v string) func([]byte, *RequestInfo) []byte {
		return func(dst []byte, _ *RequestInfo) []byte { return append(dst, v...) }
	}
	path := func(dst []byte, r *RequestInfo) []byte { return append(dst, r.Target[:10]...) }
	on, off := fixedCond(true), fixedCond(false)
	fe.RequestRules = []HeaderRule{
		{Action: SetHeader, Name: "X-Backend", AppendFormat: val("servers")},
		{Action: SetHeader, Name: "X-Api", Value: "1", Cond: off},
		{Action: SetHeader, Name: "X-Css", Value: "1", Cond: on},
		{Action: SetHeader, Name: "X-Example", Value: "1", Cond: off},
		{Action: SetHeader, Name: "X-Query", Value: "1", Cond: on},
		{Action: SetHeader, Name: "X-Js", Value: "1", Cond: off},
		{Action: SetHeader, Name: "X-Client", AppendFormat: val("127.0.0.1")},
		{Action: SetHeader, Name: "X-Path", AppendFormat: path},
		{Action: AddHeader, Name: "X-Via", Value: "goha-bench"},
		{Action: AddHeader, Name: "X-Hops", AppendFormat: val("0")},
		{Action: DelHeader, Name: "X-Debug"},
		{Action: DelHeader, Name: "Proxy"},
		{Action: SetHeader, Name: "X-Method", AppendFormat: val("GET")},
		{Action: SetHeader, Name: "X-Host", AppendFormat: val("bench")},
		{Action: SetHeader, Name: "X-Bot", Value: "1", Cond: off},
		{Action: SetHeader, Name: "X-Lan", Value: "1", Cond: off},
		{Action: SetHeader, Name: "X-Len", AppendFormat: val("3")},
		{Action: AddHeader, Name: "X-Seen", Value: "1"},
		{Action: SetHeader, Name: "X-Hash", AppendFormat: val("2914056453")},
		{Action: DelHeader, Name: "X-Unused"},
	}
	p, err := New(cfg, Options{NewBalancer: newTestBalancer})
	if err != nil {
		b.Fatal(err)
	}
	s := &session{txn: new(txn), p: p, fe: p.frontends[0], parkedFD: -1}
	s.src = netip.MustParseAddrPort("127.0.0.1:40000")
	raw := []byte("GET /bench/x.css?a=1 HTTP/1.1\r\nHost: bench\r\nUser-Agent: wrk\r\n\r\n")
	s.buf, s.end = raw, len(raw)
	if err := s.req.Parse(raw); err != nil {
		b.Fatal(err)
	}
	x := &exchange{s: s, be: p.frontends[0].def}
	run := func() []byte {
		s.info.Method, s.info.Target = s.req.Method, s.req.Target
		s.info.hdrs = s.req.Headers
		if answered, _ := s.runRequestRules(); answered {
			b.Fatal("answered")
		}
		return x.buildRequestHead()
	}
	head := run()
	if !bytes.HasSuffix(head, []byte("\r\nx-seen: 1\r\nx-hash: 2914056453\r\n\r\n")) {
		b.Fatalf("head %q", head)
	}
	b.ReportAllocs()
	cpu0 := cpuNanos()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(cpuNanos()-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuNanos is the process's CPU time (user and system) in nanoseconds:
// on a shared machine it varies less than the wall time per operation.
func cpuNanos() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
