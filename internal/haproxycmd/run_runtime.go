package haproxycmd

import (
	"cmp"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/haproxycfg"
	"github.com/goha-lb/goha/proxy/logfmt"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// runtimeState is what the runtime API changed that the plan does not
// say: the check ports set by `set server ... check-port`, ...
type runtimeState struct {
	mu         sync.Mutex
	checkConfs map[string]checkSpecRef // "backend/server" -> check addr/port set by the runtime API
	agents     map[string]*agentOverride
	// unchecked: the health HAProxy shows for a server without check
	// once it was stopped or forced (runtimeapi.Server.UncheckedHealth).
	unchecked map[string]int
	// dynamic: the servers `add server` created ("backend/server"),
	// true while still in the maintenance they were created in;
	// cliPrefix: add/del server ran (run_dynserver.go).
	dynamic   map[string]bool
	cliPrefix bool
	// imaint: tracking servers in the maintenance their tracked server
	// passed on ("backend/server"), HAProxy's SRV_ADMF_IMAINT (run_track.go).
	imaint map[string]bool
	// fmaint: tracking servers in their own (forced) maintenance, which
	// may overlap the inherited one.
	fmaint map[string]bool
	// idrain: tracking servers in the drain their tracked server passed
	// on (SRV_ADMF_IDRAIN).
	idrain map[string]bool
	// checksOff: checks the stats page turned off (run_checks_enable.go).
	checksOff map[checkKey]bool
	// dynChecks: the checks of servers `add server ... check` created
	// ("backend/server", run_dyncheck.go).
	dynChecks map[string]*haproxycfg.CheckSpec
	// dynAgents: the agent-checks of servers added at run time.
	dynAgents map[string]*haproxycfg.CheckSpec
}

func (w *worker) setUncheckedHealth(backend, server string, h int) {
	if w.checkSpec(backend, server) != nil {
		return
	}
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	if w.rt.unchecked == nil {
		w.rt.unchecked = map[string]int{}
	}
	w.rt.unchecked[backend+"/"+server] = h
}

func (w *worker) uncheckedHealth(backend, server string) *int {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	if h, ok := w.rt.unchecked[backend+"/"+server]; ok {
		return &h
	}
	return nil
}

// agentOverride is what `set server ... agent-addr|agent-port|agent-send`
// changed of an agent-check.
type agentOverride struct {
	addr string
	port int
	send []byte
}

func (s *runtimeSource) SetGlobalMaxconn(n int) { s.w.px.SetGlobalMaxconn(n) }

func (s *runtimeSource) SetFrontendMaxconn(name string, n int) error {
	if s.w.px.SetFrontendMaxconn(name, n) != nil {
		return runtimeapi.ErrNoFrontend
	}
	return nil
}

func (s *runtimeSource) SetServerMaxconn(backend, server string, n int) error {
	return s.w.px.SetServerMaxconn(backend, server, n)
}

func (s *runtimeSource) SetCompressionRateLimit(bps int64) {
	s.w.px.SetCompressionRateLimit(bps) // proxy/comp_rate.go
}

// checkSpec finds a server's health check: its own address and port as
// the configuration set them, or as `set server ... check-addr|check-port`
// changed them ("" and 0: the server's).
func (w *worker) checkSpec(backend, server string) *checkSpecRef {
	if c := w.dynamicCheck(backend, server); c != nil {
		w.rt.mu.Lock()
		defer w.rt.mu.Unlock()
		if o, ok := w.rt.checkConfs[backend+"/"+server]; ok {
			return &o
		}
		return &checkSpecRef{addr: c.OwnAddr, port: c.OwnPort}
	}
	for i := range w.plan.Checks {
		c := &w.plan.Checks[i]
		if c.Target.Backend == backend && c.Target.Server == server && !c.Target.Agent {
			w.rt.mu.Lock()
			defer w.rt.mu.Unlock()
			if o, ok := w.rt.checkConfs[backend+"/"+server]; ok {
				return &o
			}
			return &checkSpecRef{addr: c.OwnAddr, port: c.OwnPort}
		}
	}
	return nil
}

type checkSpecRef struct {
	addr string
	port int
}

// SetServerAddr moves the server's traffic, and its check unless the
// check has its own address and port, as HAProxy does.
func (s *runtimeSource) SetServerAddr(backend, server string, ip netip.Addr, port int) error {
	w := s.w
	if err := w.px.SetServerAddr(backend, server, ip, port); err != nil {
		return err
	}
	s.retargetCheck(backend, server)
	if w.agentSpec(backend, server) != nil {
		s.SetAgent(backend, server, nil, nil, nil) // an agent without agent-addr follows the server
	}
	return nil
}

// retargetCheck recomputes where a server's check connects from the
// server's current address, the check's own addr/port and any port set
// by `set server ... check-port`.
func (s *runtimeSource) retargetCheck(backend, server string) bool {
	w := s.w
	spec := w.checkSpec(backend, server)
	if spec == nil || w.checks == nil {
		return false
	}
	port := spec.port
	addr := ""
	for _, b := range w.px.Backends() {
		for _, sv := range b.Servers {
			if b.Name == backend && sv.Name == server {
				addr = sv.Addr
			}
		}
	}
	return w.checks.SetAddr(backend, server, check.CheckAddr(addr, spec.addr, port))
}

// SetServerCheck is `set server ... check-addr|check-port`; nil keeps
// the current value.
func (s *runtimeSource) SetServerCheck(backend, server string, ip *netip.Addr, port *int) (bool, error) {
	w := s.w
	spec := w.checkSpec(backend, server)
	if spec == nil {
		return false, nil
	}
	o := *spec
	if ip != nil {
		o.addr = ip.String()
	}
	if port != nil {
		o.port = *port
	}
	w.rt.mu.Lock()
	if w.rt.checkConfs == nil {
		w.rt.checkConfs = map[string]checkSpecRef{}
	}
	w.rt.checkConfs[backend+"/"+server] = o
	w.rt.mu.Unlock()
	return s.retargetCheck(backend, server), nil
}

// SetServerHealth is `set server B/S health`: the check's health is
// forced (when checked) and the server's operational state follows, with
// HAProxy's "changed from CLI" line when the state changes.
func (s *runtimeSource) SetServerHealth(backend, server string, h runtimeapi.Health) error {
	return s.forceHealth(backend, server, h, "CLI")
}

// ForceHealth is the stats page's "Health: force UP|NOLB|DOWN" (any
// server, checked or not, as HAProxy 2.6).
func (s *runtimeSource) ForceHealth(backend, server string, h runtimeapi.Health) error {
	return s.forceHealth(backend, server, h, "Web interface")
}

func (s *runtimeSource) forceHealth(backend, server string, h runtimeapi.Health, via string) error {
	w := s.w
	up, stopping := h != runtimeapi.HealthDown, h == runtimeapi.HealthStopping
	before, ok := w.px.ServerStatus(backend, server)
	if !ok {
		return fmt.Errorf("no server %s/%s", backend, server)
	}
	wasUsable, backup := s.serverUsable(backend, server)
	if w.checks != nil {
		w.checks.Force(backend, server, up, stopping)
	}
	if err := w.px.UpdateServerStatus(backend, server, func(st *proxy.ServerStatus) {
		st.CheckUp, st.CheckDrain = up, up && stopping
	}); err != nil {
		return err
	}
	if up {
		rf := w.plan.Unchecked[backend+"/"+server] // the defaults for a server added at run time
		w.setUncheckedHealth(backend, server, cmp.Or(rf.Rise, haproxy.DefaultCheckRise)+cmp.Or(rf.Fall, haproxy.DefaultCheckFall)-1)
	} else {
		w.setUncheckedHealth(backend, server, 0)
	}
	if before.CheckUp == up && before.CheckDrain == (up && stopping) {
		return nil // HAProxy logs nothing when the state stays
	}
	c := w.backendCounts(backend, server)
	w.logCheckLine(backend, check.ForcedLine(backend, server, backup, up, stopping, before.CheckDrain, via, c))
	if wasUsable && (!up || stopping) && c.Active+c.Backup == 0 {
		w.logCheckLine(backend, check.NoServerLine(backend))
	}
	w.propagateHealth(backend, server, check.TrackState{Up: up, Stopping: up && stopping})
	return nil
}

// ShutdownServerSessions is `shutdown sessions server B/S`.
func (s *runtimeSource) ShutdownServerSessions(backend, server string) error {
	_, err := s.w.px.ShutdownServerSessions(backend, server)
	return err
}

// logCheckLine sends a check message to stderr under its tag and to the
// backend's log targets at its severity.
func (w *worker) logCheckLine(backend string, l check.Line) {
	if l.Severity == check.Emerg {
		l.Text, l.Stderr = w.proxyKind(backend, l.Text), w.proxyKind(backend, l.Stderr)
	}
	if l.Stderr != "" {
		lvl := levelWarning
		if l.StderrAlert {
			lvl = levelAlert
		}
		w.events.stderrOnly(l.Stderr, lvl)
	}
	w.events.send(backend, logfmt.Level(l.Severity), l.Text)
	w.mailCheckLine(backend, l)
}

// proxyKind words a "backend B has no server available!" alert as
// HAProxy does for a listen section: "proxy B ...".
func (w *worker) proxyKind(backend, text string) string {
	for _, sec := range w.plan.Sections {
		if sec.Name == backend && sec.Frontend && sec.Backend && strings.HasPrefix(text, "backend ") {
			return "proxy " + strings.TrimPrefix(text, "backend ")
		}
	}
	return text
}

// Resolvers lists the resolvers sections with their counters, the
// implicit "default" one last (haproxy.ResolversSection.Implicit).
func (s *runtimeSource) Resolvers() []runtimeapi.Resolvers {
	return s.w.resolversView()
}

// slimOf is a maxconn as `show stat` prints it: HAProxy keeps a negative
// `set maxconn server` value as an unsigned 32-bit number.
func slimOf(n int) int {
	if n < 0 {
		return int(uint32(int32(n)))
	}
	return n
}

// Streams lists the sessions for `show sess`.
func (s *runtimeSource) Streams() []runtimeapi.Stream {
	var out []runtimeapi.Stream
	for _, si := range s.w.px.Sessions() {
		out = append(out, runtimeapi.Stream{ID: si.ID, Src: si.Src, Frontend: si.Frontend,
			Backend: si.Backend, Server: si.Server, Age: si.Age, Born: si.Born, HTTP: si.HTTP, Local: si.Local,
			ServerAddr: si.ServerAddr, SrvLocal: si.SrvLocal})
	}
	return out
}

// ShutdownStream is `shutdown session <id>`.
func (s *runtimeSource) ShutdownStream(id uint64) bool { return s.w.px.ShutdownSession(id) }
