package listen

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
)

// Resolver opens the listeners of one worker. Its Listen method has the
// shape of proxy.Options.Listen.
type Resolver struct {
	// Inherited holds sockets handed over by the parent; a bind address
	// found there is reused rather than bound again. May be nil.
	Inherited *Set

	mu   sync.Mutex
	used *Set
}

// Listen returns the listener for one bind address: an inherited socket
// when there is one, the descriptor named by "fd@N", or a fresh socket.
// Every listener returned is also remembered (see Used). o applies to a
// fresh socket only: an inherited one keeps the options it has.
func (r *Resolver) Listen(network, addr string, o SockOpts) (net.Listener, error) {
	ln, err := r.open(network, addr, o)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.used == nil {
		r.used = NewSet()
	}
	if err := r.used.Add(addr, ln); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

func (r *Resolver) open(network, addr string, o SockOpts) (net.Listener, error) {
	if r.Inherited != nil {
		r.mu.Lock()
		ln, ok, err := r.Inherited.Take(addr)
		r.mu.Unlock()
		if ok {
			return ln, err
		}
	}
	fam, rest, hasFam := strings.Cut(addr, "@")
	if hasFam {
		switch fam {
		case "fd":
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("file descriptor '%s' is not a valid integer in '%s'", rest, addr)
			}
			return FromFD(n)
		case "sockpair":
			return nil, fmt.Errorf("'%s': sockpair@ listeners (connections passed over a socketpair) are not supported by gohaproxy", addr)
		case "ipv4", "tcp4":
			network, addr = "tcp4", rest
		case "ipv6", "tcp6":
			network, addr = "tcp6", rest
		case "tcp":
			addr = rest
		default:
			return nil, fmt.Errorf("'%s': address family '%s' is not supported by gohaproxy", addr, fam)
		}
	}
	return Open(network, addr, o)
}

// Used returns the sockets of every listener handed out so far (duplicates
// the caller owns), for passing to the next worker.
func (r *Resolver) Used() *Set {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := NewSet()
	if r.used == nil {
		return out
	}
	for _, k := range r.used.Keys() {
		if d, err := dupConn(r.used.File(k), k); err == nil {
			out.Put(k, d)
		}
	}
	return out
}

// Close releases the inherited sockets nobody asked for and the exported
// copies; the listeners handed out are untouched.
func (r *Resolver) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Inherited != nil {
		r.Inherited.Close()
	}
	if r.used != nil {
		r.used.Close()
	}
}
