package proxy

import (
	"sync/atomic"
	"time"

	"github.com/goha-lb/goha/proxy/stick"
)

// processRates are the process-wide connection and session rates and
// their limits, global `maxconnrate` and `maxsessrate`, as HAProxy 2.6's
// listener_accept applies them: before each accept the rate over the last
// second must leave room for one more, otherwise every listener stops
// accepting for next_event_delay's milliseconds and clients wait in the
// kernel's accept queue (measured with 15 simultaneous clients and a limit
// of 5: five at once, one after 1 s, then one every 200 ms, as under a
// frontend's rate-limit sessions). A connection counts when accepted; a
// session when its frontend counts it (serve), the accepted ones not yet
// counted being pending, as in rateGate.
type processRates struct {
	connLimit, sessLimit uint32
	conn, sess           stick.FreqCtr
	// sslLimit is maxsslrate over ssl, the connections accepted on ssl
	// binds (ssl_limits.go); tlsc.accepts counts them for show info.
	sslLimit         uint32
	ssl              stick.FreqCtr
	maxConn, maxSess peakCounter // the highest rates seen (show info MaxConnRate, MaxSessRate)
	sessPending      atomic.Int32
}

// wait waits until the limits leave room for one more connection (tls:
// on an ssl bind, which maxsslrate limits too); false when done closes.
func (r *processRates) wait(done <-chan struct{}, tls bool) bool {
	sslLimit := r.sslLimit
	if !tls {
		sslLimit = 0
	}
	if r.connLimit == 0 && r.sessLimit == 0 && sslLimit == 0 {
		return true
	}
	for {
		now := StickNow()
		var delay uint32
		if r.connLimit > 0 && r.conn.Remain(ratePeriod, now, r.connLimit, 0) == 0 {
			delay = max(delay, r.conn.NextDelay(ratePeriod, now, r.connLimit, 0), 1)
		}
		if r.sessLimit > 0 {
			pend := uint32(max(r.sessPending.Load(), 0))
			if r.sess.Remain(ratePeriod, now, r.sessLimit, pend) == 0 {
				delay = max(delay, r.sess.NextDelay(ratePeriod, now, r.sessLimit, pend), 1)
			}
		}
		if sslLimit > 0 && r.ssl.Remain(ratePeriod, now, sslLimit, 0) == 0 {
			delay = max(delay, r.ssl.NextDelay(ratePeriod, now, sslLimit, 0), 1)
		}
		if delay == 0 {
			return true
		}
		t := time.NewTimer(time.Duration(delay) * time.Millisecond)
		select {
		case <-t.C:
		case <-done:
			t.Stop()
			return false
		}
	}
}

// accepted counts an accepted connection; it says whether the session to
// come is pending under maxsessrate.
func (r *processRates) accepted() (sessPending bool) {
	now := StickNow()
	r.conn.Add(ratePeriod, now, 1)
	r.maxConn.add(now)
	if r.sessLimit == 0 {
		return false
	}
	r.sessPending.Add(1)
	return true
}

// acceptedTLS counts a connection accepted on an ssl bind.
func (r *processRates) acceptedTLS() {
	if r.sslLimit > 0 {
		r.ssl.Add(ratePeriod, StickNow(), 1)
	}
}

// endPending ends a pending session (counted, or never to be one).
func (r *processRates) endPending(pending bool) {
	if pending {
		r.sessPending.Add(-1)
	}
}

// countSession counts a session begun.
func (r *processRates) countSession() {
	now := StickNow()
	r.sess.Add(ratePeriod, now, 1)
	r.maxSess.add(now)
}

// peakCounter is the highest count of events within one period of a
// second, as HAProxy's cps_max and sps_max keep the current period's
// count that update_freq_ctr returns (not the sliding estimate).
type peakCounter struct {
	cur  atomic.Uint64 // period<<32 | count
	peak atomic.Uint32
}

func (p *peakCounter) add(now uint32) {
	period := uint64(now / ratePeriod)
	var n uint32
	for {
		old := p.cur.Load()
		n = 1
		if old>>32 == period {
			n = uint32(old) + 1
		}
		if p.cur.CompareAndSwap(old, period<<32|uint64(n)) {
			break
		}
	}
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			return
		}
	}
}

func (p *peakCounter) load() uint32 { return p.peak.Load() }

// ProcessRates is what `show info` reports of the process-wide rates.
type ProcessRates struct {
	ConnRate, ConnRateLimit, MaxConnRate int
	SessRate, SessRateLimit, MaxSessRate int
}

// ProcessRates reads the process-wide rates and their limits.
func (p *Proxy) ProcessRates() ProcessRates {
	r, now := &p.rates, StickNow()
	return ProcessRates{ConnRate: int(r.conn.Read(ratePeriod, now)), ConnRateLimit: int(r.connLimit), MaxConnRate: int(r.maxConn.load()),
		SessRate: int(r.sess.Read(ratePeriod, now)), SessRateLimit: int(r.sessLimit), MaxSessRate: int(r.maxSess.load())}
}
