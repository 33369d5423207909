package acl

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// The fetches of HAProxy's backend.c and frontend.c that read live
// figures of a proxy or server (nbsrv, be_conn, queue, connslots,
// srv_conn, fe_sess_rate, ...), the configured timeouts, and `stopping`.
// Their values come from RequestInfo's BackendLoad, ServerLoad and
// FrontendLoad (proxy/sample_state.go). An omitted backend or frontend
// argument names the proxy the rule is in, which HAProxy resolves when it
// reads the configuration (and refuses in a frontend for a backend
// argument: the parser checks the names, xref_samples.go).
func init() {
	sint := haproxy.SampleSInt
	be := func(f func(l proxy.BackendLoad) int64) fetchDef {
		return fetchDef{out: sint, layer4: true, build: optName(func(r *proxy.RequestInfo, name string, yield func(value) bool) bool {
			l, ok := r.BackendLoad(name)
			return ok && yield(value{t: sint, i: f(l)})
		})}
	}
	srv := func(out haproxy.SampleType, f func(l proxy.ServerLoad) int64) fetchDef {
		return fetchDef{out: out, layer4: true, build: serverArg(func(r *proxy.RequestInfo, backend, server string, yield func(value) bool) bool {
			l, ok := r.ServerLoad(backend, server)
			return ok && yield(value{t: out, i: f(l)})
		})}
	}
	fe := func(out haproxy.SampleType, f func(l proxy.FrontendLoad) int64) fetchDef {
		return fetchDef{out: out, layer4: true, build: optName(func(r *proxy.RequestInfo, name string, yield func(value) bool) bool {
			l, ok := r.FrontendLoad(name)
			return ok && yield(value{t: out, i: f(l)})
		})}
	}
	// The current backend's timeouts (HAProxy's SMP_USE_BKEND).
	beTimeout := func(f func(l proxy.BackendLoad) time.Duration) fetchDef {
		return fetchDef{out: sint, use: useBackend, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			l, ok := r.BackendLoad(r.Backend.Name)
			return ok && yield(value{t: sint, i: f(l).Milliseconds()})
		})}
	}
	rows := map[string]fetchDef{
		"nbsrv":        be(func(l proxy.BackendLoad) int64 { return int64(l.Usable) }),
		"be_conn":      be(func(l proxy.BackendLoad) int64 { return l.Conn }),
		"be_conn_free": be(func(l proxy.BackendLoad) int64 { return l.ConnFree }),
		"be_sess_rate": be(func(l proxy.BackendLoad) int64 { return l.SessRate }),
		"connslots":    be(func(l proxy.BackendLoad) int64 { return l.Slots }),
		"queue":        be(func(l proxy.BackendLoad) int64 { return l.Queue }),
		// The queue per usable server, rounded up; twice the queue
		// without one.
		"avg_queue": be(func(l proxy.BackendLoad) int64 {
			if l.Usable > 0 {
				return (l.Queue + int64(l.Usable) - 1) / int64(l.Usable)
			}
			return l.Queue * 2
		}),
		"srv_conn":      srv(sint, func(l proxy.ServerLoad) int64 { return l.Conn }),
		"srv_conn_free": srv(sint, func(l proxy.ServerLoad) int64 { return l.ConnFree }),
		"srv_queue":     srv(sint, func(l proxy.ServerLoad) int64 { return l.Queue }),
		"srv_sess_rate": srv(sint, func(l proxy.ServerLoad) int64 { return l.SessRate }),
		"srv_is_up":     srv(haproxy.SampleBool, func(l proxy.ServerLoad) int64 { return b2i(l.Up) }),
		"srv_weight":    srv(sint, func(l proxy.ServerLoad) int64 { return int64(l.Weight) }),
		"srv_uweight":   srv(sint, func(l proxy.ServerLoad) int64 { return int64(l.UWeight) }),
		"srv_iweight":   srv(sint, func(l proxy.ServerLoad) int64 { return int64(l.IWeight) }),
		"fe_conn":       fe(sint, func(l proxy.FrontendLoad) int64 { return l.Conn }),
		"fe_sess_rate":  fe(sint, func(l proxy.FrontendLoad) int64 { return l.SessRate }),
		"fe_req_rate":   fe(sint, func(l proxy.FrontendLoad) int64 { return l.ReqRate }),
		// The request's frontend: its default backend and client timeout.
		"fe_defbe": {out: haproxy.SampleStr, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			l, ok := r.FrontendLoad(r.Frontend.Name)
			return ok && l.DefaultBackend != "" && yield(strValue(l.DefaultBackend))
		})},
		"fe_client_timeout": {out: sint, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			l, ok := r.FrontendLoad(r.Frontend.Name)
			return ok && yield(value{t: sint, i: l.ClientTimeout.Milliseconds()})
		})},
		"be_server_timeout": beTimeout(func(l proxy.BackendLoad) time.Duration { return l.ServerTimeout }),
		"be_tunnel_timeout": beTimeout(func(l proxy.BackendLoad) time.Duration { return l.TunnelTimeout }),
		"stopping": {out: haproxy.SampleBool, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return yield(boolValue(r.Stopping()))
		})},
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

// optName is the builder of a fetch taking an optional proxy name ("":
// the rule's own proxy).
func optName(f func(r *proxy.RequestInfo, name string, yield func(value) bool) bool) func([]haproxy.Arg) (fetchFunc, error) {
	return func(args []haproxy.Arg) (fetchFunc, error) {
		if len(args) > 1 {
			return nil, fmt.Errorf("expects at most one argument")
		}
		name := ""
		if len(args) == 1 {
			name = args[0].Str
		}
		return func(r *proxy.RequestInfo, yield func(value) bool) bool { return f(r, name, yield) }, nil
	}
}

// serverArg is the builder of a fetch taking [<backend>/]<server>.
func serverArg(f func(r *proxy.RequestInfo, backend, server string, yield func(value) bool) bool) func([]haproxy.Arg) (fetchFunc, error) {
	return func(args []haproxy.Arg) (fetchFunc, error) {
		if len(args) != 1 || args[0].Str == "" {
			return nil, fmt.Errorf("expects a server")
		}
		backend, server := "", args[0].Str
		if i := strings.LastIndexByte(server, '/'); i >= 0 { // HAProxy splits at the last '/'
			backend, server = server[:i], server[i+1:]
		}
		return func(r *proxy.RequestInfo, yield func(value) bool) bool { return f(r, backend, server, yield) }, nil
	}
}

// SplitServerRef splits the srv_queue converter's [<backend>/]<server> at
// its first '/', as HAProxy's converter does.
func SplitServerRef(s string) (backend, server string) {
	if b, sv, ok := strings.Cut(s, "/"); ok {
		return b, sv
	}
	return "", s
}

// The nbsrv and srv_queue converters look the backend (and server) named
// by their input up when the request runs: no sample for a name that is
// none ("<server>" alone: in the rule's own proxy, when it is a backend).
func init() {
	str, sint := haproxy.SampleStr, haproxy.SampleSInt
	runtimeConv := func(f func(r *proxy.RequestInfo, in string) (int64, bool)) func(convArgs) (convFunc, reqConvFunc, error) {
		return func(convArgs) (convFunc, reqConvFunc, error) {
			return nil, func(r *proxy.RequestInfo, v *value) bool {
				n, ok := f(r, v.s)
				if !ok {
					return false
				}
				*v = value{t: sint, i: n}
				return true
			}, nil
		}
	}
	register(map[string]convDef{
		"nbsrv": {in: str, out: sint, rbuild: runtimeConv(func(r *proxy.RequestInfo, in string) (int64, bool) {
			if in == "" {
				return 0, false // HAProxy's lookup by name finds no proxy called ""
			}
			l, ok := r.BackendLoad(in)
			return int64(l.Usable), ok
		})},
		"srv_queue": {in: str, out: sint, rbuild: runtimeConv(func(r *proxy.RequestInfo, in string) (int64, bool) {
			b, s := SplitServerRef(in)
			if strings.Contains(in, "/") && b == "" {
				return 0, false
			}
			l, ok := r.ServerLoad(b, s)
			return l.Queue, ok
		})},
	})
}

// The server the transaction went to, and the connection to it: values
// once a server answered (http-response rules, the log).
func init() {
	sint := haproxy.SampleSInt
	bc := func(out haproxy.SampleType, f func(local, remote netip.AddrPort, major int, yield func(value) bool) bool) fetchDef {
		return fetchDef{out: out, use: useServerAddr, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			local, remote, major, ok := r.ServerConn()
			return ok && f(local, remote, major, yield)
		})}
	}
	rows := map[string]fetchDef{
		"srv_name": {out: haproxy.SampleStr, use: useServer, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			s, ok := r.Server()
			return ok && yield(strValue(s.Name))
		})},
		"srv_id": {out: sint, use: useServer, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			s, ok := r.Server()
			return ok && yield(value{t: sint, i: int64(s.ID)})
		})},
		"bc_src": bc(haproxy.SampleIPv4, func(l, _ netip.AddrPort, _ int, yield func(value) bool) bool { return addrValue(l, yield) }),
		"bc_dst": bc(haproxy.SampleIPv4, func(_, rm netip.AddrPort, _ int, yield func(value) bool) bool { return addrValue(rm, yield) }),
		"bc_src_port": bc(sint, func(l, _ netip.AddrPort, _ int, yield func(value) bool) bool {
			return l.IsValid() && yield(value{t: sint, i: int64(l.Port())})
		}),
		"bc_dst_port": bc(sint, func(_, rm netip.AddrPort, _ int, yield func(value) bool) bool {
			return rm.IsValid() && yield(value{t: sint, i: int64(rm.Port())})
		}),
		"bc_http_major": bc(sint, func(_, _ netip.AddrPort, major int, yield func(value) bool) bool {
			return yield(value{t: sint, i: int64(major)})
		}),
	}
	for k, v := range rows {
		fetches[k] = v
	}
}
