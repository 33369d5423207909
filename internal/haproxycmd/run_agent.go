package haproxycmd

import (
	"github.com/goha-lb/goha/proxy/check"
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
	for i := range w.plan.Checks {
		spec := &w.plan.Checks[i]
		t := &spec.Target
		if !t.Agent || t.Backend != backend || t.Server != rs.Name {
			continue
		}
		ag := &runtimeapi.Check{Status: "INI", Desc: "Initializing", Rise: 1, Fall: 1, Health: 1}
		rs.Agent, rs.AgentAddr, rs.AgentPort = ag, spec.OwnAddr, spec.OwnPort
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
		return
	}
}
