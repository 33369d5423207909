package acl

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// The connection's addresses as the client side saw them (fc_src,
// fc_dst and their ports: goha has no set-src/set-dst, so they are src
// and dst), and whether an address is local to the system (src_is_local,
// dst_is_local and their fc_ forms), found as HAProxy's addr_is_local
// does: by binding a UDP socket to it.
func init() {
	sint, boolean := haproxy.SampleSInt, haproxy.SampleBool
	src := func(r *proxy.RequestInfo) netip.AddrPort { return r.Src }
	dst := func(r *proxy.RequestInfo) netip.AddrPort { return r.Dst }
	addr := func(get func(*proxy.RequestInfo) netip.AddrPort) fetchDef {
		return fetchDef{out: haproxy.SampleIPv4, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return addrValue(get(r), yield)
		})}
	}
	port := func(get func(*proxy.RequestInfo) netip.AddrPort) fetchDef {
		return fetchDef{out: sint, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			ap := get(r)
			return ap.IsValid() && yield(value{t: sint, i: int64(ap.Port())})
		})}
	}
	local := func(get func(*proxy.RequestInfo) netip.AddrPort) fetchDef {
		return fetchDef{out: boolean, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			ap := get(r)
			if !ap.IsValid() {
				return false
			}
			is, ok := addrIsLocal(ap.Addr())
			return ok && yield(boolValue(is))
		})}
	}
	rows := map[string]fetchDef{
		"fc_src": addr(src), "fc_dst": addr(dst), "fc_src_port": port(src), "fc_dst_port": port(dst),
		"src_is_local": local(src), "fc_src_is_local": local(src),
		"dst_is_local": local(dst), "fc_dst_is_local": local(dst),
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

// addrIsLocal binds a UDP socket to a (port 0): it is local when the
// bind succeeds, not local on EADDRNOTAVAIL; any other failure is no
// answer.
func addrIsLocal(a netip.Addr) (bool, bool) {
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(a.Unmap(), 0)))
	if err == nil {
		c.Close()
		return true, true
	}
	if errors.Is(err, syscall.EADDRNOTAVAIL) {
		return false, true
	}
	return false, false
}

// http_auth_bearer([<header>]) is the token after "Bearer " (any case,
// spaces skipped) in the first value of Authorization or of the given
// header; date_us is the microseconds of the current date.
func init() {
	fetches["http_auth_bearer"] = fetchDef{out: haproxy.SampleStr, use: useReqHeader, build: func(args []haproxy.Arg) (fetchFunc, error) {
		name := "authorization"
		if len(args) > 0 && args[0].Str != "" {
			name = strings.ToLower(args[0].Str)
		}
		return func(r *proxy.RequestInfo, yield func(value) bool) bool {
			token, found := "", false
			forEachValue(r, name, splitValues, func(v string) bool {
				scheme, rest, _ := strings.Cut(v, " ")
				rest = strings.TrimLeft(rest, " ")
				if strings.EqualFold(scheme, "bearer") && rest != "" {
					token, found = rest, true
				}
				return true // the first value only
			})
			return found && yield(strValue(token))
		}, nil
	}}
	fetches["date_us"] = fetchDef{out: haproxy.SampleSInt, layer4: true, build: noArgs(func(_ *proxy.RequestInfo, yield func(value) bool) bool {
		return yield(value{t: haproxy.SampleSInt, i: int64(time.Now().Nanosecond() / 1000)})
	})}
}
