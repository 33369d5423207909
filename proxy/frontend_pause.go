package proxy

import (
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// pauseGate holds a frontend's accept loops while it is paused (`disable
// frontend`) and takes its sockets out of the listening state as HAProxy
// 2.6 does on Linux (shutdown(SHUT_RD) of the listening socket: new
// connections are refused, the descriptor is kept for reloads); enabling
// the frontend listens again on the same sockets and releases the loops.
type pauseGate struct {
	mu      sync.Mutex
	paused  bool
	stopped bool          // `shutdown frontend`: paused for good
	resumed chan struct{} // closed on resume; nil while running
	lns     []*net.TCPListener
}

// ErrNoFrontend is returned for a name that is no frontend.
var ErrNoFrontend = errors.New("proxy: no such frontend")

// ErrFrontendStopped: `shutdown frontend` stopped it; it cannot be
// paused or resumed any more.
var ErrFrontendStopped = errors.New("proxy: frontend shut down")

// wait blocks while the frontend is paused; false when done closes.
func (g *pauseGate) wait(done <-chan struct{}) bool {
	g.mu.Lock()
	ch := g.resumed
	g.mu.Unlock()
	if ch == nil {
		return true
	}
	select {
	case <-ch:
		return true
	case <-done:
		return false
	}
}

func (g *pauseGate) isPaused() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.paused
}

// SetFrontendPaused pauses or resumes accepting on every listener of the
// frontend; changed is false when it already was in that state. A loop
// blocked in Accept is woken by a past deadline and then waits.
func (p *Proxy) SetFrontendPaused(name string, paused bool) (changed bool, err error) {
	for _, f := range p.frontends {
		if f.cfg.Name != name {
			continue
		}
		g := &f.gate
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.stopped {
			return false, ErrFrontendStopped
		}
		if g.paused == paused {
			return false, nil
		}
		g.paused = paused
		if paused {
			g.resumed = make(chan struct{})
			for _, ln := range g.lns {
				ln.SetDeadline(time.Unix(1, 0)) // wakes a loop blocked in Accept
				control(ln, func(fd int) error { return syscall.Shutdown(fd, syscall.SHUT_RD) })
			}
		} else {
			for _, ln := range g.lns {
				// the kernel caps the backlog at somaxconn, Go's own choice
				control(ln, func(fd int) error { return syscall.Listen(fd, 1<<16-1) })
				ln.SetDeadline(time.Time{})
			}
			close(g.resumed)
			g.resumed = nil
		}
		return true, nil
	}
	return false, ErrNoFrontend
}

// control runs fn on the listener's descriptor. Errors are ignored: a
// listener closed by a reload has nothing left to pause or resume.
func control(ln *net.TCPListener, fn func(fd int) error) {
	if rc, err := ln.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { _ = fn(int(fd)) })
	}
}

// FrontendPaused says whether `disable frontend` paused the frontend.
func (p *Proxy) FrontendPaused(name string) bool {
	for _, f := range p.frontends {
		if f.cfg.Name == name {
			return f.gate.isPaused()
		}
	}
	return false
}

// StopFrontend is `shutdown frontend`: the frontend accepts no more
// connections, for good (its listening sockets are taken out of the
// listening state as a pause does; HAProxy closes them). Connections in
// progress go on. changed is false when it was already stopped.
func (p *Proxy) StopFrontend(name string) (changed bool, err error) {
	for _, f := range p.frontends {
		if f.cfg.Name != name {
			continue
		}
		g := &f.gate
		g.mu.Lock()
		if g.stopped {
			g.mu.Unlock()
			return false, nil
		}
		g.mu.Unlock()
		if _, err := p.SetFrontendPaused(name, true); err != nil {
			return false, err
		}
		g.mu.Lock()
		g.stopped = true
		g.mu.Unlock()
		return true, nil
	}
	return false, ErrNoFrontend
}

// FrontendStopped says whether `shutdown frontend` stopped the frontend.
func (p *Proxy) FrontendStopped(name string) bool {
	for _, f := range p.frontends {
		if f.cfg.Name == name {
			f.gate.mu.Lock()
			defer f.gate.mu.Unlock()
			return f.gate.stopped
		}
	}
	return false
}
