package haproxycfg

import (
	"strconv"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/h2"
)

// h2Settings reads the global tune.h2.* values over HAProxy's defaults.
// The parser checked each takes one argument; a value HTTP/2 cannot
// announce (RFC 9113 §6.5.2) is reported.
func (b *builder) h2Settings(g *haproxy.Global) h2.Settings {
	s := h2.DefaultSettings
	for _, st := range g.Raw {
		if len(st.Args) < 2 {
			continue
		}
		var dst *uint32
		lo, hi := uint64(0), uint64(1<<31-1)
		switch st.Args[0] {
		case "tune.h2.header-table-size":
			dst, hi = &s.HeaderTableSize, 65535 // HAProxy's limit
		case "tune.h2.initial-window-size":
			dst = &s.InitialWindowSize
		case "tune.h2.max-concurrent-streams":
			dst, lo = &s.MaxConcurrentStreams, 1
		case "tune.h2.max-frame-size":
			dst, lo, hi = &s.MaxFrameSize, 16384, 1<<24-1
		default:
			continue
		}
		v, err := strconv.ParseUint(st.Args[1], 10, 32)
		if err != nil || v < lo || v > hi {
			b.unsupported(st.Pos, st.Args[0]+" "+st.Args[1])
			continue
		}
		*dst = uint32(v)
	}
	return s
}

// bindH2 records a `bind ... proto h2` listener; another protocol is
// reported.
func (b *builder) bindH2(fe *proxy.Frontend, bd haproxy.Bind, addr string) {
	p, ok := bd.Options["proto"]
	if !ok {
		return
	}
	if p != "h2" {
		b.unsupported(bd.Pos, "bind proto "+p)
		return
	}
	if fe.H2 == nil {
		fe.H2 = map[string]bool{}
	}
	fe.H2[addr] = true
}
