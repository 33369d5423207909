package haproxycmd

import (
	"cmp"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/haproxycfg"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// dynamicAgentSpec is the agent-check of a server `add server ...
// agent-check` creates, as the configuration builds one (rise and fall 1,
// agent-inter or HAProxy's default interval, the backend's timeouts).
func (w *worker) dynamicAgentSpec(backend string, ns runtimeapi.NewServer) (*haproxycfg.CheckSpec, error) {
	tpl, ok := w.plan.DynamicChecks[backend]
	if !ok || w.checks == nil {
		return nil, errNoDynamicCheck
	}
	a := ns.Agent
	inter := cmp.Or(a.Inter, haproxy.DefaultCheckInter)
	return &haproxycfg.CheckSpec{AgentSend: []byte(a.Send), OwnAddr: a.Addr, OwnPort: a.Port, Target: check.Target{
		Backend: backend, Server: ns.Name, Backup: ns.Backup, Agent: true,
		Addr: check.CheckAddr(ns.Addr.String(), a.Addr, a.Port), Rise: 1, Fall: 1,
		Intervals:       check.Intervals{Inter: inter, FastInter: inter, DownInter: inter},
		Timeouts:        check.CheckTimeouts(inter, tpl.ConnectTimeout, tpl.Check),
		LogHealthChecks: tpl.Spec.Target.LogHealthChecks,
	}}, nil
}

// addDynamicAgent registers a new server's agent-check, switched off
// until `enable agent` as in HAProxy 2.6; it runs in the maintenance the
// server was created in (its weight replies apply, its health moves, the
// state waits for the server to leave maintenance).
func (w *worker) addDynamicAgent(spec *haproxycfg.CheckSpec) error {
	t := spec.Target
	t.Prober = w.prober(spec, &t)
	if err := w.checks.AddTarget(&t); err != nil {
		return err
	}
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	if w.rt.dynAgents == nil {
		w.rt.dynAgents = map[string]*haproxycfg.CheckSpec{}
	}
	w.rt.dynAgents[t.Backend+"/"+t.Server] = spec
	if w.rt.checksOff == nil {
		w.rt.checksOff = map[checkKey]bool{}
	}
	w.rt.checksOff[checkKey{t.Backend, t.Server, true}] = true
	return nil
}

// dynamicAgent is the agent-check of a server added at run time, nil
// when it has none.
func (w *worker) dynamicAgent(backend, server string) *haproxycfg.CheckSpec {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	return w.rt.dynAgents[backend+"/"+server]
}

// dropDynamicAgent forgets a deleted server's agent.
func (w *worker) dropDynamicAgent(backend, server string) {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	delete(w.rt.dynAgents, backend+"/"+server)
	delete(w.rt.checksOff, checkKey{backend, server, true})
	delete(w.rt.agents, backend+"/"+server)
}
