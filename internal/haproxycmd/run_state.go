package haproxycmd

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/haproxycfg"
	"github.com/goha-lb/goha/proxy/runtimeapi"
	"github.com/goha-lb/goha/proxy/serverstate"
)

// Server states across reloads (`load-server-state-from-file`): the files
// are read after the configuration, at -c as at start, as HAProxy 2.6
// does; their messages join the configuration's diagnostics, and at start
// the effects are applied before any health check runs or any traffic is
// accepted (applyServerStates).

// serverStates reads the state files the configuration names and plans
// what they change, backend by backend in configuration order. The
// diagnostics are HAProxy's warnings and notices, "config : " included.
func serverStates(cfg *haproxy.Config, plan *haproxycfg.Plan) ([]serverstate.Effect, []haproxy.Diagnostic) {
	var effects []serverstate.Effect
	var diags []haproxy.Diagnostic
	say := func(text string) {
		diags = append(diags, haproxy.Diagnostic{Severity: haproxy.Warning, Text: "config : " + text})
	}
	modes := map[string]haproxy.ServerStateSource{}
	for _, px := range cfg.Backends {
		modes[px.Name] = px.ServerState
	}
	var global map[string]serverstate.Index
	g := cfg.Global
	if g.ServerStateFile != "" {
		path := serverstate.Path(g.ServerStateBase, g.ServerStateFile)
		if f, ok := readStateFile("", path, say); ok {
			global = serverstate.GlobalIndex(f)
		}
	}
	for _, b := range plan.Proxy.Backends {
		src := modes[b.Name]
		if len(b.Servers) == 0 || src.Mode == haproxy.ServerStateNone {
			continue
		}
		desc := stateBackend(b, plan.Checks)
		if src.Mode == haproxy.ServerStateGlobal {
			if global != nil {
				r := serverstate.Plan(desc, global[b.Name], nil)
				effects = append(effects, r.Effects...)
				for _, m := range r.Messages {
					say(m)
				}
			}
			continue
		}
		name := src.FileName
		if name == "" {
			name = b.Name
		}
		f, ok := readStateFile(b.Name, serverstate.Path(g.ServerStateBase, name), say)
		if !ok {
			continue
		}
		idx, order, warns := serverstate.LocalIndex(f, desc)
		for _, m := range warns {
			say(m)
		}
		r := serverstate.Plan(desc, idx, order)
		effects = append(effects, r.Effects...)
		for _, m := range r.Messages {
			say(m)
		}
	}
	return effects, diags
}

// readStateFile reads and parses one state file; ok is false (and the
// reason said) when nothing of it applies.
func readStateFile(backend, path string, say func(string)) (serverstate.File, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		say(serverstate.OpenMessage(backend, path, errnoText(err)))
		return serverstate.File{}, false
	}
	f := serverstate.Parse(data)
	if msg, bad := serverstate.FileMessage(backend, path, f); bad {
		say(msg)
		return f, false
	}
	return f, true
}

// stateBackend describes a backend's servers for the planner: rise and
// fall from their checks (HAProxy's defaults without one).
func stateBackend(b *proxy.Backend, checks []haproxycfg.CheckSpec) serverstate.Backend {
	d := serverstate.Backend{Name: b.Name, ID: b.ID}
	for _, s := range b.Servers {
		sv := serverstate.Server{Name: s.Name, Backup: s.Backup, Disabled: s.Disabled, Weight: s.Weight,
			Rise: haproxy.DefaultCheckRise, Fall: haproxy.DefaultCheckFall, TLS: s.TLS != nil, FQDN: s.FQDN}
		for _, c := range checks {
			if c.Target.Backend != b.Name || c.Target.Server != s.Name {
				continue
			}
			if c.Target.Agent {
				sv.Agent = true
			} else {
				sv.Checked, sv.Rise, sv.Fall = true, c.Target.Rise, c.Target.Fall
			}
		}
		d.Servers = append(d.Servers, sv)
	}
	return d
}

// lastAddrs are the state files' srv_addr by "backend/server": what
// `init-addr last` takes for a server named by a host name.
func lastAddrs(effects []serverstate.Effect) map[string]string {
	m := map[string]string{}
	for _, e := range effects {
		if e.LastAddr != "" {
			m[e.Backend+"/"+e.Server] = e.LastAddr
		}
	}
	return m
}

// applyServerStates sets what the state files carried over, before the
// checks start and the listeners accept: silently, the messages were
// printed with the configuration's.
func (w *worker) applyServerStates(effects []serverstate.Effect) {
	src := &runtimeSource{w: w}
	now := time.Now()
	for _, e := range effects {
		b, s := e.Backend, e.Server
		if e.Port >= 0 {
			w.applyStatePort(src, b, s, e.Port)
		}
		maint := e.Maint || !e.Ready && w.configDisabled(b, s)
		if e.CheckAddr != "" || e.CheckPort >= 0 {
			ip, port := addrPort(e.CheckAddr, e.CheckPort)
			src.SetServerCheck(b, s, ip, port)
		}
		if e.AgentAddr != "" || e.AgentPort >= 0 {
			ip, port := addrPort(e.AgentAddr, e.AgentPort)
			src.SetAgent(b, s, ip, port, nil)
		}
		if w.checks != nil {
			var last *check.Status
			if st, ok := check.StatusNamed(runtimeapi.CheckStatusName(e.CheckStatus)); ok {
				last = &st // a finished check's status (not INI)
			}
			w.checks.Restore(b, s, e.Health, e.Up, e.Stopping, maint, last)
		}
		if e.CheckOff {
			src.SetCheckEnabled(b, s, false, false)
		}
		if e.AgentOff {
			src.SetCheckEnabled(b, s, true, false)
		}
		w.px.UpdateServerStatus(b, s, func(st *proxy.ServerStatus) {
			st.CheckUp, st.CheckDrain = e.Up, e.Up && e.Stopping
			st.Weight = e.Weight
			st.Drain = e.Drain
			if e.Maint {
				st.Maint = true
			} else if e.Ready {
				st.Maint = false
			}
		})
		w.px.UpdateServerStatus(b, s, func(st *proxy.ServerStatus) {
			st.Changed = now.Add(-time.Duration(e.SinceChange) * time.Second)
		})
		if e.Maint && !w.configDisabled(b, s) {
			// entering maintenance empties the health; a `disabled`
			// server was in it already and keeps the line's
			w.setUncheckedHealth(b, s, 0)
		} else {
			w.setUncheckedHealth(b, s, e.Health)
		}
	}
	// once every server has its own state, as HAProxy's trackers see the
	// tracked server's final one
	for _, e := range effects {
		w.inheritStates(src, e)
	}
}

// applyStatePort moves a server to the port its state line carries, as
// HAProxy 2.6 does whatever the configuration says now.
func (w *worker) applyStatePort(src *runtimeSource, backend, server string, port int) {
	for _, b := range w.px.Backends() {
		for _, sv := range b.Servers {
			if b.Name != backend || sv.Name != server {
				continue
			}
			host, old, err := net.SplitHostPort(sv.Addr)
			if err != nil || old == strconv.Itoa(port) {
				return
			}
			if ip, err := netip.ParseAddr(host); err == nil {
				src.SetServerAddr(backend, server, ip, port)
			}
			return
		}
	}
}

// configDisabled says whether the configuration has the server `disabled`.
func (w *worker) configDisabled(backend, server string) bool {
	for _, b := range w.plan.Proxy.Backends {
		for _, sv := range b.Servers {
			if b.Name == backend && sv.Name == server {
				return sv.Disabled
			}
		}
	}
	return false
}

// addrPort is an effect's check or agent address and port as the runtime
// API's setters take them (nil: unchanged).
func addrPort(addr string, port int) (*netip.Addr, *int) {
	var ip *netip.Addr
	if a, err := netip.ParseAddr(addr); err == nil {
		ip = &a
	}
	if port < 0 {
		return ip, nil
	}
	return ip, &port
}

// inheritStates passes the maintenance and drain a state file gave a
// server down to the servers tracking it, down the chain, without a line:
// HAProxy 2.6 starts them in "MAINT (via B/S)" with health 0, or drained
// via the tracked server (measured). A `disabled` server's trackers got
// theirs from startTrackMaint.
func (w *worker) inheritStates(src *runtimeSource, e serverstate.Effect) {
	if e.Maint && !w.configDisabled(e.Backend, e.Server) {
		src.inherit(&w.rt.imaint, e.Backend, e.Server, true, func(tr check.Tracker, _ proxy.ServerStatus) bool {
			w.px.UpdateServerStatus(tr.Backend, tr.Server, func(st *proxy.ServerStatus) { st.Maint = true })
			w.setUncheckedHealth(tr.Backend, tr.Server, 0)
			if w.checks != nil {
				w.checks.SetMaintenance(tr.Backend, tr.Server, true)
			}
			return true
		})
	}
	if e.Drain {
		src.inherit(&w.rt.idrain, e.Backend, e.Server, true, func(tr check.Tracker, before proxy.ServerStatus) bool {
			if before.Maint || before.Drain {
				return false // its own maintenance or drain stays
			}
			w.px.UpdateServerStatus(tr.Backend, tr.Server, func(st *proxy.ServerStatus) { st.Drain = true })
			return true
		})
	}
}
