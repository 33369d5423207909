package haproxycmd

import (
	"context"
	"crypto/tls"
	"errors"
	"net"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/haproxycfg"
)

// startChecks starts the health checks prepared by newChecks.
func (w *worker) startChecks() {
	w.startMailers()
	if w.checks != nil {
		w.checks.Start()
		stopMail := w.stop
		w.stop = func() {
			w.checks.Stop()
			if stopMail != nil {
				stopMail()
			}
		}
	}
	w.startResolvers()
}

// newChecks prepares the health checks of every server with `check`:
// transitions go to the data path (through the server states, so
// maintenance still wins) and HAProxy's lines to stderr and the backend's
// log targets. nil when no server is checked; an error when a check lacks
// a value proxy/haproxycfg should have filled (check.NewRunner).
func (w *worker) newChecks() (*check.Runner, error) {
	if len(w.plan.Checks) == 0 && len(w.plan.DynamicChecks) == 0 {
		return nil, nil // neither configured checks nor a backend to add checked servers to
	}
	var targets []*check.Target
	for i := range w.plan.Checks {
		spec := &w.plan.Checks[i]
		t := spec.Target
		// `disabled`: no check until `enable server`; a server without
		// an address yet (init-addr none, an SRV slot): until it resolves
		t.Disabled = spec.Disabled || w.awaitsDNS(t.Backend, t.Server)
		t.Prober = w.prober(spec, &t)
		targets = append(targets, &t)
	}
	return check.NewRunner(targets, check.RunnerOptions{
		Apply: func(ev check.Event) {
			w.px.UpdateServerStatus(ev.Target.Backend, ev.Target.Server, func(s *proxy.ServerStatus) {
				if ev.Target.Agent {
					// (an unchecked server keeps the health HAProxy
					// shows, its rise: stat's UncheckedRise)
					s.AgentDown = !ev.Up
					return
				}
				s.CheckUp = ev.Up
				s.CheckDrain = ev.Up && ev.Drain // disable-on-404: HAProxy's NOLB
			})
		},
		SpreadChecks:    w.plan.Process.SpreadChecks,
		MaxSpreadChecks: w.plan.Process.MaxSpreadChecks,
		Agent:           w.applyAgent,
		Counts:          w.backendCounts,
		Trackers:        w.plan.Trackers,
		TrackState:      w.trackState,
		ServerState:     w.serverStateFigures,
		Log:             func(l check.Line) { w.logCheckLine(w.checkedBackendOf(l, targets), l) },
	})
}

// prober is what runs a server's check: its kind and the dialer its
// source, send-proxy and TLS settings make.
func (w *worker) prober(spec *haproxycfg.CheckSpec, t *check.Target) check.Prober {
	// HAProxy's check connections take the backend's srvtcpka, as its
	// traffic's do (no SO_KEEPALIVE without it, unlike Go's default).
	var base net.Dialer
	spec.KeepAlive.Dialer(&base)
	spec.Sock.Dialer(&base) // tcp-ut
	// clear is the plain dialer: the server's `source` (for agents too)
	// and `namespace`; HAProxy resets check connections on close unless
	// a connect rule says `linger`.
	clear := func(linger bool) dialFunc {
		d := base
		if !linger {
			resetOnClose(&d)
		}
		dial := d.DialContext
		if spec.Source != nil {
			dial = sourceDial(spec.Source, d)
		}
		return spec.Sock.WrapDial(dial)
	}
	dial := clear(false)
	agentDial := dial
	if spec.Socks4.IsValid() { // check-via-socks4: not agents nor explicit connects
		dial = proxy.Socks4Dial(spec.Socks4, dial)
	}
	if spec.SendProxy != 0 {
		dial = checkProxyDial(spec.SendProxy, spec.SendProxyV2Addrs, dial)
	}
	if spec.TLS != nil {
		dial = countedTLSDial(w.px, check.TLSDial(dial, spec.TLS, spec.TLSKeys))
	}
	switch {
	case t.Agent:
		return check.AgentProbe{Send: spec.AgentSend, Dial: agentDial}
	case spec.External != nil:
		return w.externalProbe(spec)
	case spec.HTTP != nil:
		if spec.Connect.Own() {
			spec.Connect.Dial = w.connectDial(spec, spec.Connect, clear)
		}
		return check.HTTPProbe{Request: *spec.HTTP, Expects: spec.Expects, DisableOn404: spec.DisableOn404, Connect: spec.Connect, Dial: dial,
			ClearDial: agentDial, H2: spec.H2, H2Settings: spec.H2Settings}
	case spec.TCP != nil:
		p := *spec.TCP // option tcp-check and the protocol checks
		if dial != nil {
			p.Dial = dial
		}
		p.ClearDial = agentDial // explicit connects without `default`
		p.Rules = w.withConnectDials(spec, p.Rules, clear)
		return p
	}
	return check.TCPProbe{Dial: dial}
}

// observe hands what a server's traffic showed to its health check
// (`observe`); the checks are made before any traffic flows.
func (w *worker) observe(backend, server string, a check.Analysis) {
	if w.checks != nil {
		w.checks.Analyze(backend, server, a)
	}
}

// warmedUp logs the end of a server's slow start as HAProxy does: "Server
// B/S is UP. N active and M backup servers online. ..." (HAProxy counts
// the step from starting to running as a state change).
func (w *worker) warmedUp(backend, server string) {
	_, backup := (&runtimeSource{w: w}).serverUsable(backend, server)
	w.logCheckLine(backend, check.WarmedUpLine(backend, server, backup, w.backendCounts(backend, server)))
}

// backendOf finds which backend a check line is about, for its log
// targets: every line names "B/S" or "backend B".
func backendOf(l check.Line, targets []*check.Target) string {
	for _, t := range targets {
		if containsWord(l.Text, t.Backend+"/"+t.Server) || containsWord(l.Text, "backend "+t.Backend) {
			return t.Backend
		}
	}
	return ""
}

func (w *worker) backendCounts(backend, server string) check.BackendCounts {
	var c check.BackendCounts
	for _, b := range w.px.Backends() {
		if b.Name != backend {
			continue
		}
		for _, s := range b.Servers {
			if s.Up && s.Weight > 0 {
				if s.Backup {
					c.Backup++
				} else {
					c.Active++
				}
			}
			if s.Name == server {
				c.Sessions = int(s.Stats.CurSessions)
			}
		}
	}
	return c
}

// countedTLSDial counts each check-ssl connection in `show info`'s TLS
// fields (proxy.CountCheckTLS): one whose handshake started, failed or
// not, and a full handshake when it was not resumed.
func countedTLSDial(px *proxy.Proxy, dial func(context.Context, string, string) (net.Conn, error)) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		var he *check.HandshakeError
		switch {
		case err == nil:
			tc, ok := c.(*tls.Conn)
			px.CountCheckTLS(ok && !tc.ConnectionState().DidResume)
		case errors.As(err, &he):
			px.CountCheckTLS(false)
		}
		return c, err
	}
}

// awaitsDNS tells whether a server starts in resolution maintenance.
func (w *worker) awaitsDNS(backend, server string) bool {
	for _, b := range w.plan.Proxy.Backends {
		for _, sv := range b.Servers {
			if b.Name == backend && sv.Name == server {
				return sv.AwaitDNS
			}
		}
	}
	return false
}
