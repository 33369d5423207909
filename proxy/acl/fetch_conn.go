package acl

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// Fetches of the connection (dst, dst_port, so_id), of the proxies
// handling it (fe_*, be_*), of the transaction's place on its connection
// (http_first_req), and of the process (date, rand, uuid). They read the
// request's RequestInfo, or the clock and random source below, which
// tests replace.
var (
	clockNow  = time.Now
	randInt32 = rand.Uint32
)

func init() {
	sint := haproxy.SampleSInt
	rows := map[string]fetchDef{
		"dst": {out: haproxy.SampleIPv4, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return addrValue(r.Dst, yield)
		})},
		"dst_port": {out: sint, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.Dst.IsValid() && yield(value{t: sint, i: int64(r.Dst.Port())})
		})},
		"so_id": {out: sint, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.ListenerID > 0 && yield(value{t: sint, i: int64(r.ListenerID)})
		})},
		// so_name: the bind line's name (none without one); dst_conn:
		// the listener's connections open now, this one included.
		"so_name": {out: haproxy.SampleStr, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.Listener != nil && r.Listener.Name != "" && yield(strValue(r.Listener.Name))
		})},
		"dst_conn": {out: sint, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.Listener != nil && yield(value{t: sint, i: r.Listener.Conns()})
		})},
		"fe_name": {out: haproxy.SampleStr, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.Frontend.Name != "" && yield(strValue(r.Frontend.Name))
		})},
		"fe_id": {out: sint, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.Frontend.ID > 0 && yield(value{t: sint, i: int64(r.Frontend.ID)})
		})},
		"be_name": {out: haproxy.SampleStr, use: useBackend, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.Backend.Name != "" && yield(strValue(r.Backend.Name))
		})},
		"be_id": {out: sint, use: useBackend, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.Backend.ID > 0 && yield(value{t: sint, i: int64(r.Backend.ID)})
		})},
		// A tcp stream has one transaction, the connection's first:
		// HAProxy 2.6 gives true there at once, whatever the bytes
		// (measured: no data, non-HTTP bytes, a head cut short).
		"http_first_req": {out: haproxy.SampleBool, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			if r.TCPStream() {
				return yield(boolValue(true))
			}
			return r.RequestNum > 0 && yield(value{t: haproxy.SampleBool, i: b2i(r.RequestNum == 1)})
		})},
		// What the client's PROXY header said (accept-proxy): read once
		// the header is taken, so a tcp-request connection rule sees none.
		"fc_rcvd_proxy": {out: haproxy.SampleBool, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return yield(boolValue(r.PP.Received))
		})},
		"fc_pp_authority": {out: haproxy.SampleStr, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.PP.Authority != "" && yield(strValue(r.PP.Authority))
		})},
		"fc_pp_unique_id": {out: haproxy.SampleStr, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.PP.UniqueID != "" && yield(strValue(r.PP.UniqueID))
		})},
		"date": {out: sint, layer4: true, build: dateFetch},
		"rand": {out: sint, layer4: true, build: randFetch},
		"uuid": {out: haproxy.SampleStr, layer4: true, build: uuidFetch},
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

// addrValue yields the address of ap as HAProxy types it (addrTyped);
// nothing when ap is unset.
func addrValue(ap netip.AddrPort, yield func(value) bool) bool {
	a, t, ok := addrTyped(ap)
	return ok && yield(value{t: t, a: a})
}

// addrTyped is ap's address as HAProxy types it: ipv4 for an IPv4 (or
// IPv4-mapped) address, else ipv6; ok false when ap is unset.
func addrTyped(ap netip.AddrPort) (netip.Addr, haproxy.SampleType, bool) {
	if !ap.IsValid() {
		return netip.Addr{}, 0, false
	}
	a := ap.Addr().Unmap()
	if a.Is6() {
		return a, haproxy.SampleIPv6, true
	}
	return a, haproxy.SampleIPv4, true
}

// dateFetch is date([<offset>[,<unit>]]): the current time in seconds
// since the epoch (ms or us with that unit), plus offset in that unit.
func dateFetch(args []haproxy.Arg) (fetchFunc, error) {
	var offset int64
	unit := "s"
	if len(args) > 2 {
		return nil, fmt.Errorf("expects at most two arguments")
	}
	if len(args) > 0 && strings.TrimSpace(args[0].Str) != "" {
		if args[0].Kind != haproxy.ArgSInt {
			return nil, fmt.Errorf("failed to parse '%s' as type 'signed integer'", args[0].Str)
		}
		offset = args[0].Int
	}
	if len(args) == 2 {
		unit = args[1].Str
	}
	var scale func(time.Time) int64
	switch unit {
	case "s":
		scale = time.Time.Unix
	case "ms":
		scale = time.Time.UnixMilli
	case "us":
		scale = time.Time.UnixMicro
	default:
		return nil, fmt.Errorf("expects 's', 'ms' or 'us', got '%s'", unit)
	}
	// The offset counts in the unit (measured on 2.6.12: date(3600,ms)
	// is 3.6 s ahead).
	return func(_ *proxy.RequestInfo, yield func(value) bool) bool {
		return yield(value{t: haproxy.SampleSInt, i: scale(clockNow()) + offset})
	}, nil
}

// randFetch is rand([<range>]): a random 32-bit number, or one in
// [0, range) scaled from it as HAProxy scales it.
func randFetch(args []haproxy.Arg) (fetchFunc, error) {
	var rng uint64
	switch {
	case len(args) > 1:
		return nil, fmt.Errorf("expects at most one range")
	case len(args) == 1:
		if args[0].Kind != haproxy.ArgSInt || args[0].Int < 0 {
			return nil, fmt.Errorf("failed to parse '%s' as type 'unsigned integer'", args[0].Str)
		}
		rng = uint64(args[0].Int)
	}
	return func(_ *proxy.RequestInfo, yield func(value) bool) bool {
		v := uint64(randInt32())
		if rng != 0 {
			v = v * rng >> 32
		}
		return yield(value{t: haproxy.SampleSInt, i: int64(v)})
	}, nil
}

// uuidFetch is uuid([4]): a random version 4 UUID in lower-case text.
func uuidFetch(args []haproxy.Arg) (fetchFunc, error) {
	if len(args) > 1 || (len(args) == 1 && strings.TrimSpace(args[0].Str) != "" && args[0].Int != 4) {
		return nil, fmt.Errorf("Unsupported UUID version: '%s'", args[0].Str)
	}
	return func(_ *proxy.RequestInfo, yield func(value) bool) bool {
		return yield(strValue(newUUID()))
	}, nil
}

// newUUID is a random RFC 4122 version 4 UUID.
func newUUID() string {
	var b [16]byte
	for i := 0; i < 16; i += 4 {
		v := randInt32()
		b[i], b[i+1], b[i+2], b[i+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexd[c>>4], hexd[c&15])
	}
	return string(out)
}
