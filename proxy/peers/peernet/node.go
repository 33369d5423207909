// Package peernet runs a peers section over TCP: it listens as the local
// peer, dials every remote peer, and drives one proxy/peers Session per
// connection with the wall clock, HAProxy's reconnect rules and a bounded
// push delay.
package peernet

import (
	"errors"
	"net"
	"os"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/goha-lb/goha/proxy/peers"
)

// Config describes the local peer and its section.
type Config struct {
	Local  string            // local peer name
	Listen string            // the local peer's address ("" : do not listen)
	Peers  map[string]string // remote peer name -> address
	Tables []peers.Table
	// RetryListen: when Listen's address is taken (the previous worker of
	// a reload still holds it), keep trying every 100ms instead of failing;
	// the remote peers are dialed meanwhile.
	RetryListen bool
	// ReusePort listens with SO_REUSEPORT, as HAProxy binds its peers
	// listener: the new process of a reload listens beside the old one,
	// which then connects to it as the local peer (Handover).
	ReusePort bool
	// OldProcess: this process replaces one that may hand its tables over
	// (a reload, HAProxy's old pids): the resync waits up to 5s for it
	// before asking the remote peers.
	OldProcess bool
	// Order lists the section's peer names, the local one included, in
	// configuration order ("show peers" lists them in reverse, as HAProxy).
	Order []string
	// PushInterval bounds the delay between a local change and its push
	// (default 50ms).
	PushInterval time.Duration
	// Logf, when set, receives one line per session event.
	Logf func(format string, args ...any)
}

// connectTimeout is the peers backend's "timeout connect" in HAProxy.
const connectTimeout = time.Second

// Node is a running peers section.
type Node struct {
	cfg    Config
	ln     net.Listener
	mu     sync.Mutex
	resync *peers.Resync
	remote map[string]*remotePeer
	// local is the local peer: the session with the old process of a
	// reload (accepted) or with the new one (dialed by Handover).
	local     *remotePeer
	stopping  bool // Handover started: no more dialing the remote peers
	taught    chan struct{}
	taughtMu  sync.Once
	closeOnce sync.Once
	started   time.Time
	ticks     int // resync ticks ("show peers" task_calls)
	done      chan struct{}
	wg        sync.WaitGroup
}

type remotePeer struct {
	name, addr string
	conn       *connHandle // the established session, if any
	acked      []uint32
	status     int
	reconnect  time.Time
	downgrade  bool
	wake       chan struct{}
	dialing    bool         // a connection of ours is being made or runs
	stats      peerCounters // show peers
	tablePtrs  []*int
}

func (n *Node) setDialing(rp *remotePeer, on bool) {
	n.mu.Lock()
	rp.dialing = on
	n.mu.Unlock()
}

type connHandle struct {
	kill chan struct{}
	once sync.Once
}

func (h *connHandle) stop() { h.once.Do(func() { close(h.kill) }) }

// Start listens and starts dialing the remote peers.
func Start(cfg Config) (*Node, error) {
	if cfg.PushInterval <= 0 {
		cfg.PushInterval = 50 * time.Millisecond
	}
	n := &Node{cfg: cfg, remote: map[string]*remotePeer{}, done: make(chan struct{}), taught: make(chan struct{}), started: time.Now()}
	n.local = &remotePeer{name: cfg.Local, addr: cfg.Listen, wake: make(chan struct{}, 1)}
	n.resync = peers.NewResync(n.started, cfg.Local, cfg.OldProcess)
	if cfg.Listen != "" {
		ln, err := n.listen()
		switch {
		case err == nil:
			n.ln = ln
			n.wg.Add(1)
			go n.acceptLoop(ln)
		case cfg.RetryListen && errors.Is(err, syscall.EADDRINUSE):
			n.wg.Add(1)
			go n.listenLater()
		default:
			return nil, err
		}
	}
	for name, addr := range cfg.Peers {
		rp := &remotePeer{name: name, addr: addr, wake: make(chan struct{}, 1)}
		n.remote[name] = rp
		n.wg.Add(1)
		go n.dialLoop(rp)
	}
	return n, nil
}

// Addr returns the listening address (nil when not listening).
func (n *Node) Addr() net.Addr {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ln == nil {
		return nil
	}
	return n.ln.Addr()
}

// Synced reports whether the section's initial resync is over.
func (n *Node) Synced() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.resync.Tick(time.Now())
	return n.resync.Synced()
}

// Connected reports whether a session with the named peer is established.
func (n *Node) Connected(name string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	rp := n.remote[name]
	return rp != nil && rp.conn != nil
}

// Close stops listening, ends every session and waits for them; safe to
// call twice.
func (n *Node) Close() {
	n.closeOnce.Do(func() { close(n.done) })
	n.mu.Lock()
	if n.ln != nil {
		n.ln.Close()
	}
	for _, rp := range n.remote {
		if rp.conn != nil {
			rp.conn.stop()
		}
	}
	n.mu.Unlock()
	n.wg.Wait()
}

func (n *Node) logf(format string, args ...any) {
	if n.cfg.Logf != nil {
		n.cfg.Logf(format, args...)
	}
}

func (n *Node) sessionConfig() peers.Config {
	return peers.Config{
		Local:  n.cfg.Local,
		PID:    os.Getpid(),
		Known:  func(name string) bool { _, ok := n.cfg.Peers[name]; return ok || name == n.cfg.Local },
		Tables: n.cfg.Tables,
		Synced: n.Synced,
		Assign: n.assign,
		Resume: func(name string) []uint32 {
			n.mu.Lock()
			defer n.mu.Unlock()
			if rp := n.remote[name]; rp != nil {
				return rp.acked
			}
			return nil
		},
	}
}

func (n *Node) acceptLoop(ln net.Listener) {
	defer n.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			n.run(c, peers.Accept(n.sessionConfig(), time.Now()), nil)
		}()
	}
}

// dialLoop connects to a remote peer whenever it has no session, as
// HAProxy's sync task does: a new attempt once the reconnect timer (5s from
// the previous attempt, or 50..2050ms after a session was killed) expired,
// and none after the peer refused the handshake with an error status.
func (n *Node) dialLoop(rp *remotePeer) {
	defer n.wg.Done()
	for {
		n.mu.Lock()
		wait := time.Until(rp.reconnect)
		busy := rp.conn != nil || n.stopping
		refused := rp.status >= 300 && rp.status != peers.StatusErrVersion
		n.mu.Unlock()
		if busy || refused || wait > 0 {
			if wait <= 0 || busy || refused {
				wait = time.Second
			}
			select {
			case <-n.done:
				return
			case <-rp.wake:
			case <-time.After(wait):
			}
			continue
		}
		n.mu.Lock()
		rp.reconnect = time.Now().Add(peers.ReconnectTimeout)
		rp.status = peers.StatusConnecting
		cfg := n.sessionConfig()
		cfg.Remote, cfg.Downgrade = rp.name, rp.downgrade
		if n.stopping {
			n.mu.Unlock()
			continue
		}
		rp.stats.newConn++
		rp.dialing = true
		n.mu.Unlock()
		c, err := dialPeer(rp.addr)
		if err != nil {
			n.setDialing(rp, false)
			continue
		}
		n.run(c, peers.Dial(cfg, time.Now()), rp)
		n.setDialing(rp, false)
	}
}

// PeerStatus is a remote peer as "show peers" would summarise it.
type PeerStatus struct {
	Name, Addr string
	// Status is the last handshake status (peers.StatusName names it):
	// 0 never tried, 100 connecting, 200 established, 3xx/5xx refused.
	Status    int
	Connected bool
}

// Status returns the remote peers' state, by name.
func (n *Node) Status() []PeerStatus {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]PeerStatus, 0, len(n.remote))
	for _, rp := range n.remote {
		out = append(out, PeerStatus{Name: rp.name, Addr: rp.addr, Status: rp.status, Connected: rp.conn != nil})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// listenLater opens the listener once its address is free (RetryListen).
func (n *Node) listenLater() {
	defer n.wg.Done()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-n.done:
			return
		case <-tick.C:
		}
		ln, err := n.listen()
		if err != nil {
			continue
		}
		n.mu.Lock()
		if n.stopping {
			n.mu.Unlock()
			ln.Close()
			return
		}
		select {
		case <-n.done:
			n.mu.Unlock()
			ln.Close()
			return
		default:
		}
		n.ln = ln
		n.wg.Add(1)
		n.mu.Unlock()
		n.logf("peers: listening on %s", n.cfg.Listen)
		go n.acceptLoop(ln)
		return
	}
}
