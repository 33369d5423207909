package proxy

import (
	"net"
	"net/netip"

	"github.com/goha-lb/goha/proxy/stick"
)

// rejectConn runs the frontend's `tcp-request connection` rules on a
// connection just accepted: the first accept or reject whose condition
// holds decides, and none means accept; a track-sc rule on the way tracks
// the connection, and later conditions see its counters. A rejected
// connection is closed at once with a reset, before a byte is read, as
// HAProxy 2.6 does; it reports whether it did (its entries then
// released). tr is the connection's tracking (nil without tables).
// vars are the session variables the rules set (nil: none); addrs the
// connection's addresses as the rules left them (zero without rules), which
// set-src/set-dst may have changed (actions_addr.go). expect says which
// headers expect-proxy and expect-netscaler-cip rules asked for (proxyhdr.go).
func (p *Proxy) rejectConn(f *frontend, c *net.TCPConn, bind bindInfo) (rejected bool, tr *tracking, vars *[numScopes]varStore, addrs [2]netip.AddrPort, expect connExpect) {
	if len(p.cfg.Tables) > 0 {
		tr = &tracking{tables: p.tables, own: f.cfg.Table}
	}
	rules := f.cfg.TCPConnRules
	if len(rules) == 0 {
		return false, tr, nil, addrs, 0
	}
	info := RequestInfo{Src: peerAddr(c), Frontend: ProxyRef{f.cfg.Name, f.cfg.ID}, ListenerID: bind.id, Listener: bind.listener, track: tr, px: p, cliTCP: c}
	info.Backend = info.Frontend
	defer info.releaseEval()
	if la, ok := c.LocalAddr().(*net.TCPAddr); ok {
		info.Dst = unmapped(la.AddrPort())
	}
	for i := range rules {
		r := &rules[i]
		if r.Cond != nil && !r.Cond.Match(&info) {
			continue
		}
		if r.Track != nil {
			trackConn(r.Track, &info)
			continue
		}
		if r.Exec != nil {
			r.Exec(&info)
			continue
		}
		if r.ExpectProxy || r.ExpectCIP {
			expect |= connExpectOf(r)
			continue
		}
		if !r.Reject {
			return false, tr, info.connVars(), [2]netip.AddrPort{info.Src, info.Dst}, expect
		}
		if tr != nil {
			releaseConn(&tr.sess)
		}
		if r.Silent {
			// HAProxy's silent-drop counts a denied request, not a
			// denied connection, and logs nothing.
			silence(c)
			f.stats.deniedReq.Add(1)
		} else {
			c.SetLinger(0)
			f.stats.deniedConn.Add(1)
		}
		c.Close()
		info.endSessionVars() // vars_proc_limit.go
		return true, nil, nil, addrs, 0
	}
	return false, tr, info.connVars(), [2]netip.AddrPort{info.Src, info.Dst}, expect
}

// connVars are the variables a connection's rules leave to its session:
// the sess scope only, as HAProxy has no stream (no txn, req or res
// variables) before the session begins.
func (r *RequestInfo) connVars() *[numScopes]varStore {
	if r.vars != nil {
		r.endTransaction()
	}
	return r.vars
}

// trackConn runs a tcp-request connection track-sc<n>: only the first of
// each counter applies.
func trackConn(st *StickRule, info *RequestInfo) {
	tr := info.track
	if tr == nil || tr.sess[st.SC].Valid() {
		return
	}
	key, ok := st.Key(info)
	if !ok {
		return
	}
	if ref, ok := st.Table.Track(key, StickNow()); ok {
		tr.sess[st.SC] = ref
	}
}

// releaseConn ends a connection's tracking (conn_cur released).
func releaseConn(tracked *[MaxStickCounters]stick.Ref) {
	now := StickNow()
	for i, ref := range tracked {
		if ref.Valid() {
			ref.Release(true, now)
			tracked[i] = stick.Ref{}
		}
	}
}
