package peernet

import (
	"context"
	"net"
	"syscall"
	"time"

	"github.com/goha-lb/goha/proxy/peers"
)

// listen opens the local peer's listener, with SO_REUSEPORT when asked.
func (n *Node) listen() (net.Listener, error) {
	// HAProxy's peer sockets never have SO_KEEPALIVE (its peers proxy
	// takes no tcpka option); Go's would probe every 15 s.
	if !n.cfg.ReusePort {
		lc := net.ListenConfig{KeepAlive: -1}
		return lc.Listen(context.Background(), "tcp", n.cfg.Listen)
	}
	lc := net.ListenConfig{KeepAlive: -1, Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, 0xf /* SO_REUSEPORT */, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	return lc.Listen(context.Background(), "tcp", n.cfg.Listen)
}

// Handover is the soft stop of a peers section, as HAProxy's sync task
// runs it in a stopping process: the listener closes, the sessions with
// the remote peers end (they reconnect to the new process), and the
// process connects to its own local peer address, where the new process
// of the reload listens, to teach it every entry with its remaining
// lifetime and counters. It returns once the new process confirmed the
// lesson (true), or when there is nobody to teach, the session failed or
// timeout passed (false). The session stays up, pushing later changes,
// until Close.
func (n *Node) Handover(timeout time.Duration) bool {
	n.mu.Lock()
	n.stopping = true
	n.resync.SetStopping(true)
	if n.ln != nil {
		n.ln.Close()
		n.ln = nil
	}
	for _, rp := range n.remote {
		rp.reconnect = time.Now().Add(collisionDelay())
		if rp.conn != nil {
			rp.conn.stop()
		}
	}
	cfg := n.sessionConfig()
	cfg.Remote = n.cfg.Local
	n.local.stats.newConn++
	n.local.dialing = true
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		n.resync.SetStopping(false)
		n.mu.Unlock()
	}()
	if n.cfg.Listen == "" {
		n.setDialing(n.local, false)
		return false
	}
	c, err := dialPeer(n.cfg.Listen)
	if err != nil {
		// No new process listens: HAProxy's old process then stops at once.
		n.setDialing(n.local, false)
		n.logf("peers: no new process to hand the tables to: %v", err)
		return false
	}
	ended := make(chan struct{})
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		defer close(ended)
		n.run(c, peers.Dial(cfg, time.Now()), n.local)
		n.setDialing(n.local, false)
	}()
	select {
	case <-n.taught:
		return true
	case <-ended:
		return false
	case <-time.After(timeout):
		return false
	case <-n.done:
		return false
	}
}

// peerCounters are a peer's "show peers" counters across its sessions.
type peerCounters struct {
	lastHandshake          time.Time
	newConn, coll, noHbt   int
	txHbt, rxHbt, protoErr int // of the sessions that ended
	session                peers.SessionCounters
	teachComplete          bool
	accepted               *connAddrs // the running session's, when the peer connected to us
}

type connAddrs struct{ src, dst string }

// closed adds an ended session's counters.
func (c *peerCounters) closed(s peers.SessionCounters) {
	c.txHbt += s.TxHeartbeats
	c.rxHbt += s.RxHeartbeats
	c.protoErr += s.ProtoErrors
	c.session = peers.SessionCounters{}
}

// dialPeer connects to a peer within connectTimeout, without SO_KEEPALIVE
// as HAProxy's peer connections (Go's dialer would turn it on).
func dialPeer(addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: connectTimeout, KeepAlive: -1}
	return d.Dial("tcp", addr)
}
