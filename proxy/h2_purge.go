package proxy

import (
	"time"

	"github.com/goha-lb/goha/proxy/h2"
)

// The periodic purge of a server's idle HTTP/2 connections, the same
// as its HTTP/1.1 pool's (server.purgeIdle, reuse.go).

// countLocked counts the connections carrying streams and the idle ones.
func (p *h2Pool) countLocked() (busy, idled int) {
	for _, pc := range p.conns {
		if _, since := pc.cc.Usable(); since.IsZero() {
			busy++
		} else if pc.idled {
			idled++
		}
	}
	return busy, idled
}

// purgeIdle is the pool's periodic purge, as server.purgeIdle: the
// idle connections idleNeed.purge counts close, those idle longest
// first.
func (p *h2Pool) purgeIdle() {
	p.mu.Lock()
	p.purge.fired()
	busy, idled := p.countLocked()
	kill := p.need.purge(busy, idled)
	var gone []*h2.ClientConn
	for ; kill > 0; kill-- {
		oldest, at := -1, time.Time{}
		for i, pc := range p.conns {
			if _, since := pc.cc.Usable(); pc.idled && !since.IsZero() && (oldest < 0 || since.Before(at)) {
				oldest, at = i, since
			}
		}
		if oldest < 0 {
			break
		}
		gone = append(gone, p.conns[oldest].cc)
		last := len(p.conns) - 1
		copy(p.conns[oldest:], p.conns[oldest+1:])
		p.conns[last] = h2PoolConn{}
		p.conns = p.conns[:last]
		idled--
	}
	if idled > 0 {
		p.purge.arm(p.purgeDelay, p.purgeIdle)
	}
	p.mu.Unlock()
	for _, cc := range gone {
		cc.Close()
	}
}
