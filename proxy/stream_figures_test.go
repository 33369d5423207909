package proxy

import (
	"testing"
	"time"
)

// TestStreamFigures: the figures HAProxy 2.6.12 gave for cpu_calls,
// cur_server_timeout and cur_tunnel_timeout along a transaction (see
// stream_figures.go), step by step.
func TestStreamFigures(t *testing.T) {
	be := &Timeouts{Server: 6 * time.Second, Tunnel: 9 * time.Second}
	type want struct {
		calls          int64
		server, tunnel time.Duration
		ok             bool
	}
	check := func(name string, r *RequestInfo, w want) {
		t.Helper()
		calls, ok1 := r.StreamCalls()
		srv, tun, ok2 := r.CurTimeouts()
		if got := (want{calls, srv, tun, ok1 && ok2}); got != w {
			t.Errorf("%s: %+v, want %+v", name, got, w)
		}
	}
	var r RequestInfo
	check("no stream (tcp-request connection)", &r, want{})
	r.beginStream()
	check("request rules", &r, want{1, 0, 0, true})
	r.streamConnected(be, false)
	r.stream.calls++ // the response head
	check("response rules", &r, want{3, 6 * time.Second, 9 * time.Second, true})

	r.beginStream()
	r.streamSetServerTimeout(3 * time.Second)
	check("after set-timeout", &r, want{1, 3 * time.Second, 0, true})
	r.streamConnected(be, true) // a pooled connection: no call
	check("set-timeout kept once connected", &r, want{1, 3 * time.Second, 9 * time.Second, true})

	r.beginStream()
	r.streamConnectFailed(3)
	check("4 refused attempts", &r, want{8, 0, 0, true})

	r.beginStream()
	r.streamConnected(be, false)
	r.streamEnded()
	check("tcp log", &r, want{2, 0, 0, true})
}
