package acl

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// The fetches of the kernel's view of the client connection (TCP_INFO,
// as HAProxy 2.6 on Linux reads it): fc_rtt and fc_rttvar in ms (rounded
// to the nearest) or us, and the unacked, sacked, retrans, lost, fackets
// and reordering counters. No value without a socket (an HTTP/2 stream
// reads its connection's).
func init() {
	sint := haproxy.SampleSInt
	counter := func(f func(*unix.TCPInfo) uint32) fetchDef {
		return fetchDef{out: sint, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			info, ok := r.TCPInfo()
			return ok && yield(value{t: sint, i: int64(f(info))})
		})}
	}
	rtt := func(f func(*unix.TCPInfo) uint32) fetchDef {
		return fetchDef{out: sint, layer4: true, build: func(args []haproxy.Arg) (fetchFunc, error) {
			us := false
			if len(args) > 1 {
				return nil, fmt.Errorf("expects at most one argument")
			}
			if len(args) == 1 {
				switch args[0].Str {
				case "us":
					us = true
				case "ms":
				default:
					return nil, fmt.Errorf("expects 'ms' or 'us', got '%s'", args[0].Str)
				}
			}
			return func(r *proxy.RequestInfo, yield func(value) bool) bool {
				info, ok := r.TCPInfo()
				if !ok {
					return false
				}
				v := int64(f(info))
				if !us {
					v = (v + 500) / 1000
				}
				return yield(value{t: sint, i: v})
			}, nil
		}}
	}
	rows := map[string]fetchDef{
		"fc_rtt":        rtt(func(i *unix.TCPInfo) uint32 { return i.Rtt }),
		"fc_rttvar":     rtt(func(i *unix.TCPInfo) uint32 { return i.Rttvar }),
		"fc_unacked":    counter(func(i *unix.TCPInfo) uint32 { return i.Unacked }),
		"fc_sacked":     counter(func(i *unix.TCPInfo) uint32 { return i.Sacked }),
		"fc_lost":       counter(func(i *unix.TCPInfo) uint32 { return i.Lost }),
		"fc_retrans":    counter(func(i *unix.TCPInfo) uint32 { return i.Retrans }),
		"fc_fackets":    counter(func(i *unix.TCPInfo) uint32 { return i.Fackets }),
		"fc_reordering": counter(func(i *unix.TCPInfo) uint32 { return i.Reordering }),
		// The client connection's HTTP major version encoding: 2 for an
		// HTTP/2 stream, else 1 (HTTP/1.x, and tcp mode).
		"fc_http_major": {out: sint, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return yield(value{t: sint, i: 1 + b2i(string(r.Version()) == "HTTP/2.0")})
		})},
	}
	for k, v := range rows {
		fetches[k] = v
	}
}
