package haproxycmd

import (
	"context"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/goha-lb/goha/proxy/resolve"
)

// do-resolve's resolutions (proxy/do_resolve.go asks them), as HAProxy
// 2.6 runs a stream's (measured with the real daemon and a DNS server
// that logs the questions):
//   - streams asking the same name and preferred type of one section at
//     once share one resolution; once it ends, each stream drops it, and
//     the next stream asks again (no cache between streams);
//   - the only cache is a server's resolution of the same name and type
//     in the section: its last valid answer serves while `hold valid`
//     lasts;
//   - each of resolve_retries tries asks the preferred type; an error
//     answer (NXDOMAIN, REFUSED, no record of the type, ...) asks the
//     other type at once; two error answers end the try, and the next
//     starts `timeout retry` after this one did (after the last try's,
//     the resolution ends at once); no answer within
//     `timeout retry` ends the try too (the other type is not asked);
//   - a stream whose rule evaluation is final (tcp-request content
//     without inspect-delay) does not wait and starts nothing; one whose
//     inspect delay ends gives up, and a resolution no stream waits for
//     any more stops.

// doKey names a resolution: the name and the preferred type.
type doKey struct {
	name       string
	preferIPv4 bool
}

// doRun is one running resolution and the streams waiting for it.
type doRun struct {
	done    chan struct{}
	addrs   []netip.Addr // the valid answer's (nil: failed)
	waiters int
	cancel  context.CancelFunc
}

// doCached is a server resolution's last valid answer.
type doCached struct {
	addrs []netip.Addr
	at    time.Time
}

// doResolutions is a section's do-resolve state.
type doResolutions struct {
	mu    sync.Mutex
	runs  map[doKey]*doRun
	cache map[doKey]doCached
}

// serverAnswer records a server resolution's valid answer for do-resolve.
func (s *dnsSection) serverAnswer(name string, preferIPv4 bool, addrs []netip.Addr, at time.Time) {
	s.do.mu.Lock()
	defer s.do.mu.Unlock()
	if s.do.cache == nil {
		s.do.cache = map[doKey]doCached{}
	}
	s.do.cache[doKey{resolveKeyName(name), preferIPv4}] = doCached{addrs: addrs, at: at}
}

// resolveKeyName is a server name as do-resolve writes names.
func resolveKeyName(name string) string {
	n, _ := resolve.HostName(name)
	return n
}

// doResolver is the daemon's proxy.DNSResolver.
type doResolver struct {
	ctx      context.Context
	sections map[string]*dnsSection
}

// DoResolve implements proxy.DNSResolver.
func (r *doResolver) DoResolve(section, name string, preferIPv4, wait bool, until time.Time) (netip.Addr, bool) {
	s := r.sections[section]
	if s == nil || len(s.ns) == 0 {
		return netip.Addr{}, false
	}
	key := doKey{name, preferIPv4}
	s.do.mu.Lock()
	if c, ok := s.do.cache[key]; ok && time.Since(c.at) <= s.cfg.Hold["valid"] {
		s.do.mu.Unlock()
		return pickAddr(c.addrs, preferIPv4)
	}
	if !wait {
		s.do.mu.Unlock()
		return netip.Addr{}, false
	}
	run := s.do.runs[key]
	if run == nil {
		ctx, cancel := context.WithCancel(r.ctx)
		run = &doRun{done: make(chan struct{}), cancel: cancel}
		if s.do.runs == nil {
			s.do.runs = map[doKey]*doRun{}
		}
		s.do.runs[key] = run
		go s.doResolve(ctx, key, run)
	}
	run.waiters++
	s.do.mu.Unlock()
	defer s.leave(key, run)
	var expire <-chan time.Time
	if !until.IsZero() {
		t := time.NewTimer(time.Until(until))
		defer t.Stop()
		expire = t.C
	}
	select {
	case <-run.done:
		return pickAddr(run.addrs, preferIPv4)
	case <-expire:
		return netip.Addr{}, false
	}
}

// leave drops a stream from the resolution, which stops when none waits.
func (s *dnsSection) leave(key doKey, run *doRun) {
	s.do.mu.Lock()
	defer s.do.mu.Unlock()
	run.waiters--
	if run.waiters == 0 {
		run.cancel()
		if s.do.runs[key] == run {
			delete(s.do.runs, key)
		}
	}
}

// pickAddr is the address HAProxy stores: resolv_get_ip_from_response
// for no server (resolve.Answers.Pick: the first record of the preferred
// family in its tree order, else the first of the other).
func pickAddr(addrs []netip.Addr, preferIPv4 bool) (netip.Addr, bool) {
	if len(addrs) == 0 {
		return netip.Addr{}, false
	}
	var a resolve.Answers
	a.Update(addrs, time.Now(), 0, nil)
	ip, v := a.Pick(resolve.Held{{}}, 0, netip.Addr{}, resolve.Options{PreferIPv4: preferIPv4, AllowDup: true})
	return ip, v != resolve.NoIP
}

// doResolve runs the resolution and hands its outcome to the waiters.
func (s *dnsSection) doResolve(ctx context.Context, key doKey, run *doRun) {
	addrs := s.doTries(ctx, key.name, !key.preferIPv4)
	s.do.mu.Lock()
	if s.do.runs[key] == run {
		delete(s.do.runs, key)
	}
	run.addrs = addrs
	s.do.mu.Unlock()
	close(run.done)
}

// doTries asks the questions (see the top of the file); nil: no address.
func (s *dnsSection) doTries(ctx context.Context, name string, aaaaFirst bool) []netip.Addr {
	conn, err := net.ListenUDP("udp", nil)
	if err != nil {
		return nil
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 65535)
	for try := 0; try < max(s.cfg.Retries, 1) && ctx.Err() == nil; try++ {
		end := time.Now().Add(s.cfg.TimeoutRetry)
		aaaa, switched := aaaaFirst, false
		id := s.doAsk(conn, name, aaaa)
		conn.SetReadDeadline(end)
	read:
		for ctx.Err() == nil {
			n, from, err := conn.ReadFromUDP(buf)
			if err != nil {
				break // the try's time is over
			}
			i := s.index(from)
			if i < 0 {
				continue
			}
			out, addrs, err := resolve.Read(buf[:n], id, name, aaaa)
			if resolve.IsForeign(err) {
				continue
			}
			s.count(i, outcomeCounter[out])
			if out == resolve.Valid {
				return addrs
			}
			if switched {
				// both types failed: the try waits out its time, the
				// last one does not
				if try+1 >= max(s.cfg.Retries, 1) {
					return nil
				}
				select {
				case <-ctx.Done():
				case <-time.After(time.Until(end)):
				}
				break read
			}
			aaaa, switched = !aaaa, true
			id = s.doAsk(conn, name, aaaa)
		}
	}
	return nil
}

// doAsk sends the question to every nameserver and returns its id. A
// name the DNS format cannot carry (a label over 63 bytes) is sent by
// HAProxy as bytes no server answers: nothing is sent, the try times out.
func (s *dnsSection) doAsk(conn *net.UDPConn, name string, aaaa bool) uint16 {
	id := uint16(rand.UintN(1 << 16))
	q, err := resolve.Query(id, name, aaaa, s.cfg.PayloadSize)
	for i := range s.ns {
		s.count(i, cSent)
		if err != nil {
			continue
		}
		if _, err := conn.WriteToUDP(q, s.ns[i].addr); err != nil {
			s.count(i, cSndError)
		}
	}
	return id
}
