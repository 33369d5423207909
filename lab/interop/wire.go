package interop

import (
	"net/netip"
	"sort"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/goha-lb/goha/vrrp"
)

// Sent is one VRRP advert seen on the wire.
type Sent struct {
	At       time.Time
	Src      netip.Addr
	TTL      uint8
	Version  uint8
	VRID     uint8
	Priority uint8
	Valid    bool // decoded and its checksum verifies
}

// Adverts extracts the VRRP adverts (IPv4 or IPv6, protocol 112) from
// captured frames, in capture order.
func Adverts(pkts []gopacket.Packet) []Sent {
	var out []Sent
	for _, p := range pkts {
		var (
			src, dst netip.Addr
			ttl      uint8
			payload  []byte
		)
		switch ip := p.NetworkLayer().(type) {
		case *layers.IPv4:
			if ip.Protocol != vrrp.ProtocolNumber {
				continue
			}
			src, _ = netip.AddrFromSlice(ip.SrcIP.To4())
			dst, _ = netip.AddrFromSlice(ip.DstIP.To4())
			ttl, payload = ip.TTL, ip.Payload
		case *layers.IPv6:
			if ip.NextHeader != vrrp.ProtocolNumber {
				continue
			}
			src, _ = netip.AddrFromSlice(ip.SrcIP)
			dst, _ = netip.AddrFromSlice(ip.DstIP)
			ttl, payload = ip.HopLimit, ip.Payload
		default:
			continue
		}
		if len(payload) < 4 {
			continue
		}
		s := Sent{At: p.Metadata().Timestamp, Src: src, TTL: ttl,
			Version: payload[0] >> 4, VRID: payload[1], Priority: payload[2]}
		var a vrrp.Advert
		if err := a.Decode(payload, src.Is6()); err == nil {
			sum := vrrp.Checksum(payload, netip.Addr{}, netip.Addr{})
			if a.Version == 3 {
				sum = vrrp.Checksum(payload, src, dst)
			}
			s.Valid = sum == a.Checksum
		}
		out = append(out, s)
	}
	return out
}

// Overlap is a span during which two routers advertised as master for
// the same VRID.
type Overlap struct {
	Begin, End time.Time
	A, B       netip.Addr
}

// Duration is End − Begin.
func (o Overlap) Duration() time.Duration { return o.End.Sub(o.Begin) }

// DualMaster finds the spans where two sources both advertised for vrid.
// An advert with a non-zero priority claims mastership for one interval
// from when it was sent; a priority-0 advert (a master resigning) ends
// its sender's claim at once. The result is ordered by Begin.
func DualMaster(adverts []Sent, vrid uint8, interval time.Duration) []Overlap {
	type span struct{ begin, end time.Time }
	claims := map[netip.Addr][]span{}
	for _, a := range adverts {
		if a.VRID != vrid {
			continue
		}
		sp := claims[a.Src]
		if a.Priority == 0 {
			if n := len(sp); n > 0 && sp[n-1].end.After(a.At) {
				sp[n-1].end = a.At
			}
			claims[a.Src] = sp
			continue
		}
		end := a.At.Add(interval)
		if n := len(sp); n > 0 && !a.At.After(sp[n-1].end) {
			sp[n-1].end = end // extends the running claim
		} else {
			sp = append(sp, span{a.At, end})
		}
		claims[a.Src] = sp
	}
	srcs := make([]netip.Addr, 0, len(claims))
	for s := range claims {
		srcs = append(srcs, s)
	}
	sort.Slice(srcs, func(i, j int) bool { return srcs[i].Less(srcs[j]) })
	var out []Overlap
	for i := range srcs {
		for j := i + 1; j < len(srcs); j++ {
			for _, x := range claims[srcs[i]] {
				for _, y := range claims[srcs[j]] {
					b, e := x.begin, x.end
					if y.begin.After(b) {
						b = y.begin
					}
					if y.end.Before(e) {
						e = y.end
					}
					if e.After(b) {
						out = append(out, Overlap{Begin: b, End: e, A: srcs[i], B: srcs[j]})
					}
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Begin.Before(out[j].Begin) })
	return out
}

// Longest is the longest overlap's duration (0 if none).
func Longest(os []Overlap) time.Duration {
	var m time.Duration
	for _, o := range os {
		m = max(m, o.Duration())
	}
	return m
}
