package proxy

import "time"

// What the cur_server_timeout, cur_tunnel_timeout and cpu_calls fetches
// read of a transaction's stream, as measured on HAProxy 2.6.12:
//   - the server and tunnel timeouts are 0 until the server connection is
//     up, unless a set-timeout rule set them; once it is up, those not set
//     by a rule take the backend's (0 when it has none). A transaction that
//     never reached a server (deny, return, 503) keeps 0;
//   - a TCP session logs both as 0: HAProxy logs it once its stream ended;
//   - cpu_calls counts HAProxy's calls of its stream handler. goha has no
//     such task: it counts the same steps, one for the request, one when
//     a new server connection is up, one per response head, and two per
//     failed connection attempt but the last (the retry wakes the stream
//     once more), which is what HAProxy counts for simple exchanges (1 in
//     request rules, 3 once the response arrived, 8 after 4 refused
//     attempts, 2 in a TCP session's log).

// streamFigures are a transaction's figures; the zero value is "no
// stream yet" (tcp-request connection and session rules).
type streamFigures struct {
	calls                        int64
	serverTimeout, tunnelTimeout time.Duration
	serverSet, tunnelSet         bool
	// resPayload is what the server sent so far while tcp-response
	// rules inspect it (nil otherwise); resFinal: no more will be waited
	// for (tcp_response_inspect.go).
	resPayload []byte
	resFinal   bool
}

// beginStream starts a transaction's stream.
func (r *RequestInfo) beginStream() { r.stream = streamFigures{calls: 1} }

// streamSetServerTimeout is http-request set-timeout server; 0 is
// HAProxy's unset tick: the backend's fills it once connected.
func (r *RequestInfo) streamSetServerTimeout(d time.Duration) {
	r.stream.serverTimeout, r.stream.serverSet = d, d != 0
}

// streamSetTunnelTimeout is http-request set-timeout tunnel (0: unset).
func (r *RequestInfo) streamSetTunnelTimeout(d time.Duration) {
	r.stream.tunnelTimeout, r.stream.tunnelSet = d, d != 0
}

// streamConnected: the server connection is up; t are its backend's
// timeouts. A connection taken from the idle pool was up already: no
// call counted (measured: 2 calls once its response arrived, not 3).
func (r *RequestInfo) streamConnected(t *Timeouts, reused bool) {
	st := &r.stream
	if !reused {
		st.calls++
	}
	if !st.serverSet {
		st.serverTimeout = t.Server
	}
	if !st.tunnelSet {
		st.tunnelTimeout = t.Tunnel
	}
}

// streamConnectFailed: no connection attempt succeeded after retries
// retries.
func (r *RequestInfo) streamConnectFailed(retries int) {
	r.stream.calls += int64(2*(retries+1) - 1)
}

// streamEnded: a TCP session's stream is over (its log line).
func (r *RequestInfo) streamEnded() {
	r.stream.serverTimeout, r.stream.tunnelTimeout = 0, 0
}

// StreamCalls is cpu_calls; false outside a stream.
func (r *RequestInfo) StreamCalls() (int64, bool) {
	return r.stream.calls, r.stream.calls > 0
}

// CurTimeouts are cur_server_timeout and cur_tunnel_timeout; false
// outside a stream.
func (r *RequestInfo) CurTimeouts() (server, tunnel time.Duration, ok bool) {
	return r.stream.serverTimeout, r.stream.tunnelTimeout, r.stream.calls > 0
}
