package haproxycmd

import (
	"cmp"
	"debug/elf"
	"fmt"
	"os"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/runtimeapi"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// CertRegistry gives the runtime API's ssl commands the certificates the
// TLS binds serve (nil: no TLS bind).
func (s *runtimeSource) CertRegistry() *tlsconf.Registry { return s.w.plan.Certs }

// ProcVar reads a process variable for `get var`.
// ShowCache is `show cache`: every cache section's store.
func (s *runtimeSource) ShowCache() string {
	var b strings.Builder
	for _, c := range s.w.plan.Caches {
		b.WriteString(c.Show())
	}
	return b.String()
}

func (s *runtimeSource) ProcVar(name string) (typ, val string, ok bool) { return acl.ProcVar(name) }

// CLISockets lists the stats sockets for `show cli sockets`, and the
// master's socket pair under a master.
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
	if l := s.w.o.MasterCLI; l != nil { // the master's pair, listed last
		addrs, levels = append(addrs, l.Addr().String()), append(levels, "admin")
	}
	return addrs, levels
}

// StopFrontend is `shutdown frontend`, with HAProxy's warning and log
// line giving the frontend's and (a listen section's) backend's
// cumulated connections.
func (s *runtimeSource) StopFrontend(name string) (bool, error) {
	w := s.w
	known := false
	for _, sec := range w.plan.Sections {
		known = known || sec.Name == name && sec.Frontend
	}
	if !known {
		return false, runtimeapi.ErrNoFrontend
	}
	changed, err := w.px.StopFrontend(name)
	if err != nil || !changed {
		return changed, err
	}
	var fe, be int64
	for _, p := range s.Stats() {
		if p.Name != name {
			continue
		}
		if p.Frontend != nil {
			fe = p.Frontend.Counters.ConnTot
		}
		if p.Backend != nil {
			be = p.Backend.Counters.STot
		}
	}
	w.events.warning(name, fmt.Sprintf("Proxy %s stopped (cumulated conns: FE: %d, BE: %d).", name, fe, be))
	return true, nil
}

// startupLogs are the messages of the configuration's loading as HAProxy
// keeps them for `show startup-logs`: the notices and warnings it prints
// at start, even when -q keeps them off stderr.
func startupLogs(o workerOptions, res *haproxy.Result) string {
	var b strings.Builder
	pr := &haproxy.Printer{W: &b, PID: os.Getpid(), Version: haproxy.Version + "-goha", Executable: executable(), ShowGoha: o.Verbose,
		Quiet: o.Quiet}
	for _, d := range res.Diags.List {
		pr.Print(d)
	}
	return b.String()
}

// StartupLogs is `show startup-logs`.
func (s *runtimeSource) StartupLogs() string { return s.w.startupLogs }

// Libs is `show libs`: gohaproxy is one statically linked executable,
// listed with the range of its loaded segments (from its ELF program
// headers, offset by where a position-independent build was loaded).
func (s *runtimeSource) Libs() []runtimeapi.Lib {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	f, err := elf.Open(exe)
	if err != nil {
		return nil
	}
	defer f.Close()
	var lo, hi uint64
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		if lo == 0 || p.Vaddr < lo {
			lo = p.Vaddr
		}
		hi = max(hi, p.Vaddr+p.Memsz)
	}
	base := uint64(0)
	if f.Type == elf.ET_DYN {
		base = loadBase(exe)
	}
	return []runtimeapi.Lib{{Start: base + lo, End: base + hi, Path: exe}}
}

// loadBase is where a position-independent executable was mapped: the
// start of its first mapping in /proc/self/maps.
func loadBase(exe string) uint64 {
	data, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasSuffix(l, " "+exe) {
			var start uint64
			fmt.Sscanf(l, "%x-", &start)
			return start
		}
	}
	return 0
}

// SetDynamicCookieKey is `set dynamic-cookie-key backend`.
func (s *runtimeSource) SetDynamicCookieKey(backend, key string) error {
	if !s.isBackend(backend) {
		return runtimeapi.ErrNoBackend
	}
	return s.w.px.SetDynamicCookieKey(backend, key)
}

// SetDynamicCookies is `enable|disable dynamic-cookie backend`.
func (s *runtimeSource) SetDynamicCookies(backend string, on bool) error {
	if !s.isBackend(backend) {
		return runtimeapi.ErrNoBackend
	}
	return s.w.px.SetDynamicCookies(backend, on)
}

func (s *runtimeSource) isBackend(name string) bool {
	for _, sec := range s.w.plan.Sections {
		if sec.Name == name && sec.Backend {
			return true
		}
	}
	return false
}
