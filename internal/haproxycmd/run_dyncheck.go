package haproxycmd

import (
	"cmp"
	"errors"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/haproxycfg"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// errNoDynamicCheck: the backend's check is one goha does not build for
// a server added at run time (haproxycfg.DynamicCheck).
var errNoDynamicCheck = errors.New("the backend's health check is not supported by goha on a dynamic server.\n")

// dynamicCheckSpec is the check of a server `add server ... check`
// creates, from the backend's check and the server's settings (HAProxy's
// defaults for those it leaves out; dynamic servers take nothing from
// default-server).
func (w *worker) dynamicCheckSpec(backend string, ns runtimeapi.NewServer) (*haproxycfg.CheckSpec, error) {
	tpl, ok := w.plan.DynamicChecks[backend]
	if !ok {
		return nil, errNoDynamicCheck
	}
	c, spec := ns.Check, tpl.Spec
	inter := cmp.Or(c.Inter, haproxy.DefaultCheckInter)
	t := &spec.Target
	t.Server, t.Backup = ns.Name, ns.Backup
	t.Addr = check.CheckAddr(ns.Addr.String(), c.Addr, c.Port)
	t.Rise, t.Fall = cmp.Or(c.Rise, haproxy.DefaultCheckRise), cmp.Or(c.Fall, haproxy.DefaultCheckFall)
	t.Intervals = check.Intervals{Inter: inter, FastInter: cmp.Or(c.FastInter, inter), DownInter: cmp.Or(c.DownInter, inter)}
	t.Timeouts = check.CheckTimeouts(inter, tpl.ConnectTimeout, tpl.Check)
	spec.OwnAddr, spec.OwnPort = c.Addr, c.Port
	return &spec, nil
}

// addDynamicCheck registers a new server's check, switched off until
// `enable health` as in HAProxy 2.6.
func (w *worker) addDynamicCheck(spec *haproxycfg.CheckSpec) error {
	t := spec.Target
	t.Prober = w.prober(spec, &t)
	if err := w.checks.AddTarget(&t); err != nil {
		return err
	}
	key := t.Backend + "/" + t.Server
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	if w.rt.dynChecks == nil {
		w.rt.dynChecks = map[string]*haproxycfg.CheckSpec{}
	}
	w.rt.dynChecks[key] = spec
	if w.rt.checksOff == nil {
		w.rt.checksOff = map[checkKey]bool{}
	}
	w.rt.checksOff[checkKey{t.Backend, t.Server, false}] = true
	return nil
}

// dropDynamicCheck forgets a deleted server's check.
func (w *worker) dropDynamicCheck(backend, server string) {
	w.checks.RemoveTarget(backend, server)
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	delete(w.rt.dynChecks, backend+"/"+server)
	delete(w.rt.checksOff, checkKey{backend, server, false})
	delete(w.rt.checkConfs, backend+"/"+server)
}

// dynamicCheck is the check of a server added at run time, nil when it
// has none.
func (w *worker) dynamicCheck(backend, server string) *haproxycfg.CheckSpec {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	return w.rt.dynChecks[backend+"/"+server]
}

// planCheck is the configured check of a server (nil: none).
func (w *worker) planCheck(backend, server string) *haproxycfg.CheckSpec {
	for i := range w.plan.Checks {
		if t := w.plan.Checks[i].Target; t.Backend == backend && t.Server == server && !t.Agent {
			return &w.plan.Checks[i]
		}
	}
	return nil
}

// checkedBackendOf finds which backend a check line is about among the
// configured targets and the servers added at run time.
func (w *worker) checkedBackendOf(l check.Line, targets []*check.Target) string {
	if b := backendOf(l, targets); b != "" {
		return b
	}
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	for _, spec := range w.rt.dynChecks {
		t := spec.Target
		if containsWord(l.Text, t.Backend+"/"+t.Server) {
			return t.Backend
		}
	}
	return ""
}
