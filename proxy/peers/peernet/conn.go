package peernet

import (
	"errors"
	"math/rand/v2"
	"net"
	"time"

	"github.com/goha-lb/goha/proxy/peers"
)

// writeTimeout bounds a blocked write: a peer that stops reading is dropped
// (HAProxy's peers proxy has a 5s server/client timeout).
const writeTimeout = 5 * time.Second

// run drives session s over c until it ends. dialed is the remote peer a
// dialed connection was made for (nil for an accepted one, known after its
// handshake).
func (n *Node) run(c net.Conn, s *peers.Session, dialed *remotePeer) {
	defer c.Close()
	h := &connHandle{kill: make(chan struct{})}
	in := make(chan []byte)
	rerr := make(chan error, 1)
	go func() {
		for {
			buf := make([]byte, 16384)
			k, err := c.Read(buf)
			if k > 0 {
				select {
				case in <- buf[:k]:
				case <-h.kill:
					return
				}
			}
			if err != nil {
				rerr <- err
				return
			}
		}
	}()
	var rp *remotePeer
	defer func() {
		h.stop()
		if rp != nil {
			n.detach(rp, h, s)
		}
	}()
	tick := time.NewTicker(n.cfg.PushInterval)
	defer tick.Stop()
	for {
		if !n.flush(c, s) {
			return
		}
		for _, ev := range s.Events() {
			switch ev.Kind {
			case peers.EvEstablished:
				target := dialed
				if target == nil {
					target = n.remote[ev.Peer]
					if ev.Peer == n.cfg.Local {
						target = n.local // the old process of a reload
					}
				}
				if !n.attach(target, h) {
					return
				}
				rp = target
				if dialed == nil {
					n.mu.Lock()
					rp.stats.accepted = &connAddrs{c.RemoteAddr().String(), c.LocalAddr().String()}
					n.mu.Unlock()
				}
				n.logf("peers: session with %s established", ev.Peer)
			case peers.EvLearned:
				n.mu.Lock()
				n.resync.Learned(time.Now(), ev.Peer, ev.Partial)
				n.mu.Unlock()
				n.logf("peers: resync from %s done (partial=%v)", ev.Peer, ev.Partial)
			case peers.EvTaught:
				if rp == n.local {
					n.taughtMu.Do(func() { close(n.taught) })
					n.mu.Lock()
					rp.stats.teachComplete = true
					n.mu.Unlock()
					n.logf("peers: tables handed over to the new process")
				}
			case peers.EvClosed:
				n.recordStatus(dialed, ev.Status)
				if peers.LearnAborted(ev.Err) {
					n.mu.Lock()
					n.resync.Aborted(time.Now(), ev.Peer)
					n.mu.Unlock()
				}
				n.logf("peers: session with %s closed: %v", ev.Peer, ev.Err)
			}
		}
		if closed, _ := s.Closed(); closed {
			n.flush(c, s)
			return
		}
		if rp != nil {
			n.mu.Lock()
			rp.stats.session = s.Counters()
			n.mu.Unlock()
		}
		select {
		case b := <-in:
			s.Feed(time.Now(), b, false)
		case <-rerr:
			s.Feed(time.Now(), nil, true)
		case <-tick.C:
			// The old process of a reload is never asked from this side:
			// it teaches unasked (the lesson was assigned at accept).
			if rp != nil && rp != n.local && n.assign(rp.name) {
				s.RequestResync()
			}
			s.Tick(time.Now())
		case <-h.kill:
			return
		case <-n.done:
			return
		}
	}
}

// flush writes what the session queued; false when the write failed.
func (n *Node) flush(c net.Conn, s *peers.Session) bool {
	out := s.Output()
	if len(out) == 0 {
		return true
	}
	c.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := c.Write(out)
	return err == nil
}

// assign ticks the section's resync and reports whether peer should be
// asked for the lesson now.
func (n *Node) assign(peer string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.ticks++
	n.resync.Tick(time.Now())
	return n.resync.Assign(peer)
}

func (n *Node) recordStatus(rp *remotePeer, status int) {
	if rp == nil || status == 0 {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	rp.status = status
	if status == peers.StatusErrVersion {
		rp.downgrade = true
	}
}

// attach makes h the session of rp. A session already there is killed, as
// HAProxy kills the older one when a peer connects again, and the dialer
// waits 50..2050ms before trying again so both ends do not keep colliding.
func (n *Node) attach(rp *remotePeer, h *connHandle) bool {
	if rp == nil {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	select {
	case <-n.done:
		return false
	default:
	}
	if rp.conn != nil && rp.conn != h {
		rp.stats.coll++
		rp.conn.stop()
		rp.reconnect = time.Now().Add(collisionDelay())
	}
	rp.conn, rp.status = h, peers.StatusSuccess
	rp.stats.lastHandshake = time.Now()
	return true
}

func collisionDelay() time.Duration {
	return time.Duration(50+rand.IntN(2000)) * time.Millisecond
}

// detach forgets h as rp's session and keeps what the peer acked.
func (n *Node) detach(rp *remotePeer, h *connHandle, s *peers.Session) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if rp.conn != h {
		return
	}
	rp.conn = nil
	rp.acked = s.Acked()
	rp.stats.closed(s.Counters())
	rp.stats.accepted = nil
	if closed, err := s.Closed(); closed && err != nil && errors.Is(err, peers.ErrPeerSilent) {
		rp.stats.noHbt++
		rp.reconnect = time.Now().Add(collisionDelay())
	}
	n.resync.Aborted(time.Now(), rp.name)
	select {
	case rp.wake <- struct{}{}:
	default:
	}
}
