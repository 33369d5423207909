package proxy

import (
	"sync"
	"sync/atomic"
	"time"
)

// TLS counters of `show info`, counted where HAProxy 2.6 counts them:
// every TLS connection, client or server side, from its accept or its
// connect (ssl_limits.go; failed handshakes included) to its close (CurrSslConns,
// CumSslConns); accepted connections on `ssl` binds per second
// (SslRate, MaxSslRate); handshakes that were not resumed per second,
// client side (SslFrontendKeyRate) and server side (SslBackendKeyRate),
// with their per-second maxima.
type tlsCounters struct {
	cur, total atomic.Int64
	max        int64 // global maxsslconn (0: none; ssl_limits.go)
	accepts    rateCounter
	feKeys     rateCounter
	beKeys     rateCounter
}

// TLSStats are the process's TLS figures (`show info`).
type TLSStats struct {
	CurrConns, CumConns      int64
	Rate, MaxRate            int64
	FrontendKeyRate, MaxFeKR int64
	BackendKeyRate, MaxBeKR  int64
	// SessionReusePct is HAProxy's SslFrontendSessionReuse_pct: the share
	// of accepted TLS connections that did not need a full handshake,
	// over the same second-long window as the rates.
	SessionReusePct int64
}

// TLSStats reads the counters now.
func (p *Proxy) TLSStats() TLSStats {
	now := time.Now()
	c := &p.tlsc
	st := TLSStats{CurrConns: c.cur.Load(), CumConns: c.total.Load()}
	st.Rate, st.MaxRate = c.accepts.read(now)
	st.FrontendKeyRate, st.MaxFeKR = c.feKeys.read(now)
	st.BackendKeyRate, st.MaxBeKR = c.beKeys.read(now)
	st.SessionReusePct = reusePct(st.FrontendKeyRate, st.Rate)
	return st
}

// reusePct is 100 less the share of full handshakes among accepted TLS
// connections, rounded as HAProxy 2.6 rounds it; 0 without connections.
func reusePct(keys, conns int64) int64 {
	if keys >= conns {
		return 0
	}
	return 100 - (100*keys+(conns-1)/2)/conns
}

// attach hands a connection counted by reserve (ssl_limits.go) to t:
// its close (tconn.Close) ends it once.
func (c *tlsCounters) attach(t *tconn) {
	t.tlsLive.Store(&c.cur)
}

// CountCheckTLS counts a check-ssl health check's TLS connection, as
// HAProxy counts its checks' among the server-side ones: started (failed
// handshakes included), and a full handshake when it completed without
// resumption. A check's connection lives for one probe: it is not kept in
// CurrSslConns.
func (p *Proxy) CountCheckTLS(full bool) {
	p.tlsc.total.Add(1)
	if full {
		p.tlsc.beKeys.add(time.Now())
	}
}

// endTLSCount ends the connection's share of CurrSslConns, once.
func (t *tconn) endTLSCount() {
	if n := t.tlsLive.Swap(nil); n != nil {
		n.Add(-1)
	}
}

// rateCounter is HAProxy's one-second frequency counter (freq_ctr): the
// events of the current second and of the one before, read as the
// current count plus the previous one's share of the time left in this
// second; max is the highest count a second reached.
type rateCounter struct {
	mu         sync.Mutex
	sec        int64 // the current second (Unix)
	curr, prev int64
	max        int64
}

func (r *rateCounter) add(now time.Time) {
	r.mu.Lock()
	r.rotate(now.Unix())
	r.curr++
	r.max = max(r.max, r.curr)
	r.mu.Unlock()
}

func (r *rateCounter) rotate(sec int64) {
	switch sec - r.sec {
	case 0:
	case 1:
		r.prev, r.curr = r.curr, 0
	default:
		r.prev, r.curr = 0, 0
	}
	r.sec = sec
}

// read is the rate at now and the maximum.
func (r *rateCounter) read(now time.Time) (rate, maxRate int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return freqRate(r.sec, r.curr, r.prev, now), r.max
}

// freqRate is read_freq_ctr: nothing after two idle seconds; a rate at
// or below one event a second reads as the last second's count (no
// flapping while waiting for the next event).
func freqRate(sec, curr, prev int64, now time.Time) int64 {
	switch now.Unix() - sec {
	case 0:
	case 1:
		prev, curr = curr, 0
	default:
		return 0
	}
	if prev <= 1 && curr == 0 {
		return prev
	}
	left := int64(time.Second - time.Duration(now.Nanosecond()))
	return curr + prev*left/int64(time.Second)
}
