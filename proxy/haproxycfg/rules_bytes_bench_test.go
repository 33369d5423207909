package haproxycfg

import (
	"bufio"
	"net"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
)

// sameBytesRequest is benchRequest with the fields benchRules add, as the
// server receives them: through the plain frontend, the server reads the
// head it reads through the rules (TestSameBytesRequestHead), so that
// BenchmarkPlainSameBytesKeepAlive against BenchmarkRulesKeepAlive is
// what the rules cost beyond the longer request's bytes (the client's
// longer request, which the proxy parses, counted in the plain case).
const sameBytesRequest = "GET /bench/x.css?a=1 HTTP/1.1\r\nhost: bench\r\nuser-agent: wrk\r\n" +
	"x-backend: servers\r\nx-css: 1\r\nx-query: 1\r\nx-client: 127.0.0.1\r\n" +
	"x-path: /bench/x.css\r\nx-via: goha-bench\r\nx-hops: 0\r\nx-method: GET\r\n" +
	"x-host: bench\r\nx-len: 3\r\nx-seen: 1\r\nx-hash: 2761959149\r\n\r\n"

// BenchmarkPlainSameBytesKeepAlive is BenchmarkPlainKeepAlive with the
// client sending sameBytesRequest: the server reads the bytes it reads in
// BenchmarkRulesKeepAlive.
func BenchmarkPlainSameBytesKeepAlive(b *testing.B) { benchmarkRulesReq(b, "", sameBytesRequest) }

// TestSameBytesRequestHead: the server receives the same head from the
// rules frontend given benchRequest as from the plain one given
// sameBytesRequest.
func TestSameBytesRequestHead(t *testing.T) {
	head := func(rules, req string) string {
		got := make(chan string, 1)
		web := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
			br := bufio.NewReader(c)
			var sb strings.Builder
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				sb.WriteString(line)
				if len(line) <= 2 {
					select {
					case got <- sb.String():
					default:
					}
					sb.Reset()
					if _, err := c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")); err != nil {
						return
					}
				}
			}
		})
		startRulesClientTo(t, web, rules, "", req)
		return <-got
	}
	rules, plain := head(benchRules, benchRequest), head("", sameBytesRequest)
	if rules != plain {
		t.Fatalf("the rules' head\n%q\nthe plain one\n%q", rules, plain)
	}
}

// wrkRequest is what wrk sends in make bench: a Host field alone.
const wrkRequest = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n"

// BenchmarkRulesWrkKeepAlive is BenchmarkRulesKeepAlive with wrk's
// request (no User-Agent, path /: the rules' header fetches find less).
func BenchmarkRulesWrkKeepAlive(b *testing.B) { benchmarkRulesReq(b, benchRules, wrkRequest) }

// BenchmarkPlainWrkKeepAlive is BenchmarkRulesWrkKeepAlive without the
// rules.
func BenchmarkPlainWrkKeepAlive(b *testing.B) { benchmarkRulesReq(b, "", wrkRequest) }

func benchmarkRulesReq(b *testing.B, rules, req string) {
	web := startAnswering(b, []byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"))
	do := startRulesClientTo(b, web, rules, "", req)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		do()
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}
