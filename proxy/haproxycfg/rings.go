package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/sink"
)

// RingSpec is a ring section ready to run: its buffer, which the log
// targets naming it write to, and the servers it forwards to.
type RingSpec struct {
	Ring     *sink.MsgRing
	Forwards []sink.Forward
}

// rings makes the buffers of the ring sections (Plan.Rings), refusing
// the server lines goha cannot forward to.
func (b *builder) rings(cfg *haproxy.Config) {
	for _, r := range cfg.Rings {
		spec := &RingSpec{Ring: sink.NewMsgRing(r.Name, r.Description, r.Size)}
		for _, s := range r.Servers {
			for _, u := range s.Unsupported {
				b.unsupported(s.Pos, u)
			}
			if len(s.Unsupported) > 0 {
				continue
			}
			spec.Forwards = append(spec.Forwards, sink.Forward{Addr: s.Addr, OctetCount: s.OctetCount,
				ConnectTimeout: r.TimeoutConnect, WriteTimeout: r.TimeoutServer})
		}
		b.plan.Rings = append(b.plan.Rings, spec)
	}
}

// ringTarget attaches a `log ring@<name>` target to its ring; a name no
// ring section declares is refused (HAProxy refuses to start with it).
func (b *builder) ringTarget(st haproxy.LogTarget, t *LogTarget) bool {
	r := b.cfg.RingByName(st.Addr)
	if r == nil {
		b.unsupported(st.Pos, "log server uses unknown ring named '"+st.Addr+"'")
		return false
	}
	for _, spec := range b.plan.Rings {
		if spec.Ring.Name == r.Name {
			t.Target.SetRing(spec.Ring, r.Format, r.MaxLen)
			return true
		}
	}
	return false
}
