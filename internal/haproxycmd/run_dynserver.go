package haproxycmd

import (
	"errors"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/haproxycfg"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// AddServer is `add server`: the server joins its backend in maintenance,
// with no health check (HAProxy's dynamic servers take no default-server
// settings either).
func (s *runtimeSource) AddServer(backend string, ns runtimeapi.NewServer) error {
	sc := &proxy.Server{Name: ns.Name, Addr: ns.Addr.String(), Weight: ns.Weight, Backup: ns.Backup,
		MaxConn: ns.MaxConn, MaxQueue: ns.MaxQueue, CheckAddrs: proxy.CheckAddrs{CheckAddr: ns.CheckAddr, CheckPort: ns.CheckPort,
			AgentAddr: ns.AgentAddr, AgentPort: ns.AgentPort}}
	sc.Source = s.w.plan.BackendSources[backend] // HAProxy connects from the backend's source
	var spec *haproxycfg.CheckSpec
	if ns.Check != nil {
		var err error
		if s.w.checks == nil {
			return errNoDynamicCheck
		}
		if spec, err = s.w.dynamicCheckSpec(backend, ns); err != nil {
			return err
		}
		spec.Source = sc.Source
	}
	var agent *haproxycfg.CheckSpec
	if ns.Agent != nil {
		var err error
		if agent, err = s.w.dynamicAgentSpec(backend, ns); err != nil {
			return err
		}
		agent.Source = sc.Source
	}
	_, err := s.w.px.AddServer(backend, sc, 0)
	if err == nil && spec != nil {
		if err = s.w.addDynamicCheck(spec); err != nil {
			s.w.px.DelServer(backend, ns.Name) // still in maintenance and unused
		}
	}
	if err == nil && agent != nil {
		if err = s.w.addDynamicAgent(agent); err != nil {
			s.w.checks.RemoveTarget(backend, ns.Name)
			s.w.dropDynamicCheck(backend, ns.Name)
			s.w.px.DelServer(backend, ns.Name)
		}
	}
	if err == nil {
		s.w.setUncheckedHealth(backend, ns.Name, 0) // HAProxy's dynamic servers start at health 0
		s.w.rt.mu.Lock()
		if s.w.rt.dynamic == nil {
			s.w.rt.dynamic = map[string]bool{}
		}
		s.w.rt.dynamic[backend+"/"+ns.Name] = true
		s.w.rt.mu.Unlock()
	}
	switch {
	case errors.Is(err, proxy.ErrServerExists):
		return runtimeapi.ErrServerExists
	case errors.Is(err, proxy.ErrStaticAlgorithm):
		return runtimeapi.ErrStaticBalance
	}
	return err
}

// DelServer is `del server`. A configured server with a health or agent
// check is kept: its checker runs from the configuration. A server added
// at run time takes its check along.
func (s *runtimeSource) DelServer(backend, server string) error {
	dyn := s.w.dynamicCheck(backend, server) != nil || s.w.dynamicAgent(backend, server) != nil
	if !dyn && (s.w.checkSpec(backend, server) != nil || s.w.agentSpec(backend, server) != nil) {
		return runtimeapi.ErrServerPinned
	}
	err := s.w.px.DelServer(backend, server)
	if err == nil && dyn {
		s.w.dropDynamicCheck(backend, server) // both of its checks
		s.w.dropDynamicAgent(backend, server)
	}
	if err == nil {
		s.w.rt.mu.Lock()
		delete(s.w.rt.dynamic, backend+"/"+server)
		delete(s.w.rt.unchecked, backend+"/"+server)
		s.w.rt.mu.Unlock()
	}
	switch {
	case errors.Is(err, proxy.ErrServerNotMaint):
		return runtimeapi.ErrServerNotMaint
	case errors.Is(err, proxy.ErrServerBusy):
		return runtimeapi.ErrServerBusy
	}
	return err
}

// neverReady says whether a server `add server` created is still in
// the maintenance it was created in; leftMaint records that it left it.
func (w *worker) neverReady(backend, server string) bool {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	return w.rt.dynamic[backend+"/"+server]
}

func (w *worker) leftMaint(backend, server string) {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	if w.rt.dynamic[backend+"/"+server] {
		w.rt.dynamic[backend+"/"+server] = false
	}
}

// CLINotice prints a runtime command's message as HAProxy does on
// stderr: "CLI : <msg>" under NOTICE or ALERT.
func (s *runtimeSource) CLINotice(msg string, alert bool) {
	lvl := levelNotice
	if alert {
		lvl = levelAlert
	}
	s.w.events.stderrOnly("CLI : "+msg, lvl)
	// HAProxy 2.6 leaves its message context at "CLI" after these
	// commands: the runtime API's later lines carry the prefix too.
	s.w.rt.mu.Lock()
	s.w.rt.cliPrefix = true
	s.w.rt.mu.Unlock()
}

// stderrPrefix is what a runtime command's stderr line starts with.
func (w *worker) stderrPrefix() string {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	if w.rt.cliPrefix {
		return "CLI : "
	}
	return ""
}
