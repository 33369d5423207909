package haproxycmd

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// CertRegistry gives the runtime API's ssl commands the certificates the
// TLS binds serve (nil: no TLS bind).
func (s *runtimeSource) CertRegistry() *tlsconf.Registry { return s.w.plan.Certs }

// ProcVar reads a process variable for `get var`.
func (s *runtimeSource) ProcVar(name string) (typ, val string, ok bool) { return acl.ProcVar(name) }

// CLISockets lists the stats sockets for `show cli sockets`.
func (s *runtimeSource) CLISockets() (addrs, levels []string) {
	for _, ss := range s.w.plan.StatsSockets {
		a := ss.Addr
		switch {
		case a.Family == "unix" || (a.Family == "" && a.Path != ""):
			addrs = append(addrs, "unix@"+a.Path)
		case a.Family == "ipv6" || strings.Contains(a.Host, ":"):
			addrs = append(addrs, fmt.Sprintf("ipv6@[%s]:%d", a.Host, a.PortLow))
		default:
			addrs = append(addrs, fmt.Sprintf("ipv4@%s:%d", a.Host, a.PortLow))
		}
		levels = append(levels, cmp.Or(ss.Level, "operator"))
	}
	return addrs, levels
}
