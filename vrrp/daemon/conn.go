// The advert sockets, shared by the instances of a ConnSpec, and their
// readers.

package daemon

import (
	"slices"
	"time"
)

func connSpecOf(s *InstanceSpec) ConnSpec {
	cs := ConnSpec{Interface: s.Interface, IPv6: s.IPv6, Src: s.SrcAddr}
	if s.VMAC != nil && s.VMAC.XmitBase {
		// vmac_xmit_base: keepalived's socket is on the parent (sockpool
		// ifindex of the base interface), adverts carry its MAC.
		cs.Interface = s.VMAC.Parent
	}
	if len(s.UnicastPeers) > 0 {
		cs.Unicast = true
	} else {
		cs.Group = s.Group
	}
	return cs
}

// conn returns the shared socket for spec, opening it and its reader.
func (r *Runner) conn(spec ConnSpec) (*connState, error) {
	if cs := r.conns[spec]; cs != nil {
		return cs, nil
	}
	c, err := r.edge.Listen(spec)
	if err != nil {
		return nil, err
	}
	cs := &connState{spec: spec, c: c}
	r.conns[spec] = cs
	r.readers.Add(1)
	go r.read(cs)
	return cs, nil
}

// read feeds received adverts to the loop until the socket is closed.
func (r *Runner) read(cs *connState) {
	defer r.readers.Done()
	for {
		b, m, err := cs.c.Recv()
		if err != nil {
			if cs.closed.Load() {
				return
			}
			r.logf("VRRP receive error on %s: %v", cs.spec.Interface, err)
			sleep(r.clock, 100*time.Millisecond, nil)
			continue
		}
		r.events <- rxEvent{cs: cs, payload: slices.Clone(b), meta: m}
	}
}

func (r *Runner) closeConn(cs *connState) {
	cs.closed.Store(true)
	cs.c.Close()
	delete(r.conns, cs.spec)
}
