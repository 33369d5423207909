package acl

import (
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// The fetches of HAProxy's stream and scheduler figures, with goha's own
// (proxy/stream_figures.go):
//   - thread is the thread running the stream, from 0: goha's work runs on
//     Go's scheduler, which `show threads` and `show activity` report as
//     thread 1, so it is always 0;
//   - cpu_calls counts the steps of the transaction (see streamFigures);
//   - cpu_ns_avg, cpu_ns_tot, lat_ns_avg and lat_ns_tot are the CPU time
//     and the run-queue latency of HAProxy's stream task, which it
//     measures only while task profiling is on (off by default, and its
//     "auto" stays off on an idle machine). goha measures neither: they
//     read 0, HAProxy's figures with profiling off;
//   - cur_server_timeout and cur_tunnel_timeout are the timeouts in force
//     for the stream, in milliseconds, after set-timeout.
//
// All but thread have no value outside a stream (tcp-request connection
// and session rules), as in HAProxy.
func init() {
	sint := haproxy.SampleSInt
	calls := func(f func(calls int64) int64) fetchDef {
		return fetchDef{out: sint, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			n, ok := r.StreamCalls()
			return ok && yield(value{t: sint, i: f(n)})
		})}
	}
	zero := func(int64) int64 { return 0 }
	timeout := func(tunnel bool) fetchDef {
		return fetchDef{out: sint, layer4: true, use: useBackend, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			srv, tun, ok := r.CurTimeouts()
			d := srv
			if tunnel {
				d = tun
			}
			return ok && yield(value{t: sint, i: int64(d / time.Millisecond)})
		})}
	}
	rows := map[string]fetchDef{
		"thread": {out: sint, layer4: true, build: noArgs(func(_ *proxy.RequestInfo, yield func(value) bool) bool {
			return yield(value{t: sint})
		})},
		"cpu_calls":          calls(func(n int64) int64 { return n }),
		"cpu_ns_avg":         calls(zero),
		"cpu_ns_tot":         calls(zero),
		"lat_ns_avg":         calls(zero),
		"lat_ns_tot":         calls(zero),
		"cur_server_timeout": timeout(false),
		"cur_tunnel_timeout": timeout(true),
	}
	for k, v := range rows {
		fetches[k] = v
	}
}
