package haproxycmd

import (
	"fmt"
	"net/netip"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/haproxycfg"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// applyAgent carries out an agent's answer as HAProxy 2.6 does, before
// its health word counts: the admin word first (through the same path as
// `set server ... state`, with its log lines), then the weight (a
// percentage of the configured weight, as `set weight N%`), then
// maxconn. It returns the first warning, which the agent's status then
// reports.
func (w *worker) applyAgent(t *check.Target, r check.AgentReply) string {
	src := &runtimeSource{w: w}
	be, sv := t.Backend, t.Server
	switch r.Admin {
	case "ready":
		src.SetServerState(be, sv, runtimeapi.StateReady)
	case "drain":
		src.SetServerState(be, sv, runtimeapi.StateDrain)
	case "maint":
		src.SetServerState(be, sv, runtimeapi.StateMaint)
	}
	warn := ""
	if r.Weight != "" {
		warn = src.agentWeight(be, sv, r.Weight)
	}
	if r.Maxconn != "" {
		if msg := agentMaxconn(src, be, sv, r.Maxconn); warn == "" {
			warn = msg
		}
	}
	return warn
}

// agentWeight applies an agent's weight word; on a drained server HAProxy
// also says the drain stays.
func (s *runtimeSource) agentWeight(backend, server, word string) string {
	var px *runtimeapi.Proxy
	var srv *runtimeapi.Server
	proxies := s.Stats()
	for i := range proxies {
		if proxies[i].Backend == nil || proxies[i].Name != backend {
			continue
		}
		for j := range proxies[i].Backend.Servers {
			if proxies[i].Backend.Servers[j].Name == server {
				px, srv = &proxies[i], &proxies[i].Backend.Servers[j]
			}
		}
	}
	if srv == nil {
		return ""
	}
	wt, msg := runtimeapi.ParseWeight(word, srv.InitialWeight, px.Backend.StaticWeights)
	if msg != "" {
		return msg
	}
	s.SetServerWeight(backend, server, wt)
	if st, ok := s.w.px.ServerStatus(backend, server); ok && st.Drain {
		who := "Server " + backend + "/" + server
		if srv.Backup {
			who = "Backup " + who
		}
		text := who + " remains in forced drain mode."
		s.logEvent(backend, runtimeapi.Event{Level: 5, Text: text, Tag: "WARNING", Stderr: text})
	}
	return ""
}

// agentMaxconn applies "maxconn:N" with `set maxconn server`'s parsing.
func agentMaxconn(s *runtimeSource, backend, server, v string) string {
	n, msg := runtimeapi.ParseMaxconn(v)
	if msg != "" {
		return msg
	}
	s.SetServerMaxconn(backend, server, n)
	return ""
}

// agentState fills a server's agent columns from its agent-check.
func (s *runtimeSource) agentState(rs *runtimeapi.Server, backend string) {
	w := s.w
	if spec := w.agentSpec(backend, rs.Name); spec != nil {
		ag := &runtimeapi.Check{Status: "INI", Desc: "Initializing", Rise: 1, Fall: 1, Health: 1}
		conf := w.agentConf(spec)
		rs.Agent, rs.AgentAddr, rs.AgentPort = ag, conf.addr, conf.port
		if w.checks == nil {
			return
		}
		h, last, ok := w.checks.AgentState(backend, rs.Name)
		if !ok {
			return
		}
		ag.Health = h.Value()
		if last != (check.Result{}) {
			ag.Status, ag.Code, ag.Duration, ag.Desc, ag.Info = last.Status.Name(), last.Code, last.Duration, last.Status.Reason(), last.Info
		}
		if ag.Running = w.checks.Running(backend, rs.Name, true); ag.Running {
			ag.Info = "" // HAProxy empties the detail when a check starts
		}
	}
}

// agentSpec finds a server's agent-check in the plan.
func (w *worker) agentSpec(backend, server string) *haproxycfg.CheckSpec {
	if spec := w.dynamicAgent(backend, server); spec != nil {
		return spec
	}
	for i := range w.plan.Checks {
		c := &w.plan.Checks[i]
		if c.Target.Agent && c.Target.Backend == backend && c.Target.Server == server {
			return c
		}
	}
	return nil
}

// agentConf is an agent-check's address, port and payload now: the
// configuration's, with what the runtime API changed.
func (w *worker) agentConf(spec *haproxycfg.CheckSpec) agentOverride {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	if o := w.rt.agents[spec.Target.Backend+"/"+spec.Target.Server]; o != nil {
		return *o
	}
	return agentOverride{addr: spec.OwnAddr, port: spec.OwnPort, send: spec.AgentSend}
}

func (s *runtimeSource) SetAgent(backend, server string, ip *netip.Addr, port *int, send *string) error {
	w := s.w
	spec := w.agentSpec(backend, server)
	if spec == nil {
		return fmt.Errorf("no agent-check on %s/%s", backend, server)
	}
	o := w.agentConf(spec)
	if ip != nil {
		o.addr = ip.String()
	}
	if port != nil {
		o.port = *port
	}
	if send != nil {
		o.send = []byte(*send)
	}
	w.rt.mu.Lock()
	if w.rt.agents == nil {
		w.rt.agents = map[string]*agentOverride{}
	}
	w.rt.agents[backend+"/"+server] = &o
	w.rt.mu.Unlock()
	addr := ""
	if st, ok := w.serverState(backend, server); ok {
		addr = st.Addr
	}
	if w.checks != nil {
		w.checks.SetAgent(backend, server, check.CheckAddr(addr, o.addr, o.port), o.send)
	}
	return nil
}

// SetAgentHealth is `set server B/S agent up|down`.
func (s *runtimeSource) SetAgentHealth(backend, server string, up bool) error {
	return s.forceAgent(backend, server, up, "CLI")
}

// ForceAgent is the stats page's "Agent: force UP|DOWN"; false when the
// server has no agent-check.
func (s *runtimeSource) ForceAgent(backend, server string, up bool) (bool, error) {
	if s.w.agentSpec(backend, server) == nil || s.w.checksOff(backend, server, true) {
		return false, nil // HAProxy forces only an enabled agent
	}
	return true, s.forceAgent(backend, server, up, "Web interface")
}

func (s *runtimeSource) forceAgent(backend, server string, up bool, via string) error {
	w := s.w
	before, ok := w.px.ServerStatus(backend, server)
	if !ok {
		return fmt.Errorf("no server %s/%s", backend, server)
	}
	wasUsable, backup := s.serverUsable(backend, server)
	if w.checks != nil {
		w.checks.ForceAgent(backend, server, up)
	}
	// (an unchecked server keeps its health: HAProxy 2.6.12)
	w.px.UpdateServerStatus(backend, server, func(st *proxy.ServerStatus) { st.AgentDown = !up })
	if before.AgentDown == !up {
		return nil
	}
	c := w.backendCounts(backend, server)
	w.logCheckLine(backend, check.ForcedLine(backend, server, backup, up, false, false, via, c))
	if wasUsable && !up && c.Active+c.Backup == 0 {
		w.logCheckLine(backend, check.NoServerLine(backend))
	}
	return nil
}

// serverState is a server's data-path view (address, state).
func (w *worker) serverState(backend, server string) (proxy.ServerState, bool) {
	for _, b := range w.px.Backends() {
		for _, sv := range b.Servers {
			if b.Name == backend && sv.Name == server {
				return sv, true
			}
		}
	}
	return proxy.ServerState{}, false
}
