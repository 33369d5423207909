package proxy

import (
	"net/netip"
	"sync/atomic"
	"time"
)

// do-resolve (HAProxy 2.6's resolv_action_do_resolve): a rule asks a
// resolvers section for a name and the stream waits for the outcome. The
// DNS side lives with the daemon's resolvers (internal/haproxycmd
// run_doresolve.go); the rules, compiled before it runs, reach it through
// a DNSHook.

// DNSResolver is the running resolvers sections as do-resolve asks them.
type DNSResolver interface {
	// DoResolve resolves name (a lower-case host name, without the final
	// dot) through the section, the A question first when preferIPv4,
	// and gives the address HAProxy would store. It waits for the
	// resolution, not past until when that is set; wait false asks only
	// the sections' cache (a rule whose evaluation is final does not
	// wait: HAProxy releases its request before the question goes).
	DoResolve(section, name string, preferIPv4 bool, wait bool, until time.Time) (netip.Addr, bool)
}

// DNSHook is where compiled do-resolve rules find the running resolvers
// (nil until the daemon sets them: no address).
type DNSHook struct {
	r atomic.Pointer[dnsResolverBox]
}

type dnsResolverBox struct{ DNSResolver }

// Set gives the hook its resolvers.
func (h *DNSHook) Set(r DNSResolver) { h.r.Store(&dnsResolverBox{r}) }

// Resolve runs one do-resolve for the request: in tcp-request content
// inspection it waits no longer than the inspect delay, and not at all
// once what the rules see is final (no inspect-delay, client done,
// buffer full); elsewhere until the resolution ends.
func (h *DNSHook) Resolve(r *RequestInfo, section, name string, preferIPv4 bool) (netip.Addr, bool) {
	box := h.r.Load()
	if box == nil {
		return netip.Addr{}, false
	}
	var until time.Time
	if r.inspecting {
		until = r.inspectUntil
		if until.IsZero() {
			// a backend's list starts its delay at the first wait
			until = time.Now().Add(r.inspectDelay)
		}
	}
	return box.DoResolve(section, name, preferIPv4, !r.inspecting || !r.PayloadFinal, until)
}
