package serverstate

import (
	"fmt"
	"net/netip"
	"strconv"
)

// Backend is what the planner needs of a configured backend.
type Backend struct {
	Name    string
	ID      int // be_id, HAProxy's uuid
	Servers []Server
}

// Server is what the planner needs of a configured server.
type Server struct {
	Name     string
	Backup   bool
	Disabled bool // `disabled` (HAProxy's CMAINT|FMAINT)
	Weight   int  // the configured weight (iweight)
	// Rise and Fall are the check's (HAProxy's defaults 2 and 3 without
	// one: an unchecked server's health still moves with its state).
	Rise, Fall int
	Checked    bool // has a health check
	Agent      bool // has an agent check
	// TLS: the server speaks TLS (`ssl`); FQDN is its host name ("" when
	// configured by address). goha cannot switch either at run time.
	TLS  bool
	FQDN string
}

// Effect is what a valid line changes on its server. The zero values of
// the pointers mean "unchanged".
type Effect struct {
	Backend, Server string
	// Up and Stopping are the operational state (HAProxy's RUNNING,
	// STOPPING, STOPPED; STARTING counts as up), Health the check health.
	Up, Stopping bool
	Health       int
	// Maint is the forced maintenance (FMAINT) after the line; Ready: a
	// `disabled` server leaves maintenance (it was enabled at run time).
	Maint, Ready bool
	Drain        bool
	Weight       int // the user weight to apply
	SinceChange  int64
	CheckStatus  int // HAProxy's check status and result codes
	CheckResult  int
	// CheckOff and AgentOff: `disable health` / `disable agent` carry over.
	CheckOff, AgentOff bool
	// LastAddr is srv_addr: the address `init-addr last` takes.
	LastAddr string
	Port     int // srv_port, -1: unchanged
	// CheckAddr, CheckPort, AgentAddr and AgentPort are the check's and
	// the agent's address and port of the old process ("" and -1:
	// unchanged).
	CheckAddr, AgentAddr string
	CheckPort, AgentPort int
}

// Counts are the usable servers of a backend, for HAProxy's "N active and
// M backup servers" in the messages.
type Counts struct{ Active, Backup int }

// Result is a backend's plan: what to apply, in server order, and
// HAProxy's messages (without the "config : " prefix), all warnings.
type Result struct {
	Effects  []Effect
	Messages []string
}

// Index keys lines by server name for one backend.
type Index map[string]Line

// GlobalIndex keys a global file's lines by "backend server"; a repeated
// key keeps its first line, as HAProxy's tree does.
func GlobalIndex(f File) map[string]Index {
	out := map[string]Index{}
	for _, l := range f.Lines {
		be := out[l.BackendName()]
		if be == nil {
			be = Index{}
			out[l.BackendName()] = be
		}
		if _, dup := be[l.ServerName()]; !dup {
			be[l.ServerName()] = l
		}
	}
	return out
}

// LocalIndex keeps the lines of a backend's own file that name it, with
// HAProxy's checks: a line whose backend id and name both differ is
// skipped; a different id is warned about and kept; a different name is
// warned about and kept only when the old backend's id was forced. order
// is the kept server names in file order.
func LocalIndex(f File, b Backend) (idx Index, order []string, warnings []string) {
	idx = Index{}
	for _, l := range f.Lines {
		idOK, nameOK := l.BackendID() == b.ID, l.BackendName() == b.Name
		switch {
		case !idOK && !nameOK:
			continue
		case !idOK:
			warnings = append(warnings, fmt.Sprintf("Proxy '%s': backend ID mismatch: from server state file: '%s', from running config '%d'", b.Name, l.Fields[0], b.ID))
		case !nameOK:
			warnings = append(warnings, fmt.Sprintf("Proxy '%s': backend name mismatch: from server state file: '%s', from running config '%s'", b.Name, l.BackendName(), b.Name))
			if !l.BackendForcedID() {
				continue
			}
		}
		if _, dup := idx[l.ServerName()]; dup {
			continue
		}
		idx[l.ServerName()] = l
		order = append(order, l.ServerName())
	}
	return idx, order, warnings
}

// Plan applies idx to b's servers in configuration order, as HAProxy's
// srv_state_srv_update does, and words its messages. For a local file,
// pass order (LocalIndex's) so that the lines naming no server are warned
// about; nil for the global file, which HAProxy does not check.
func Plan(b Backend, idx Index, order []string) Result {
	var r Result
	usable := make([]bool, len(b.Servers))
	for i, s := range b.Servers {
		usable[i] = !s.Disabled && s.Weight > 0
	}
	count := func() Counts {
		var c Counts
		for i, s := range b.Servers {
			if usable[i] && s.Backup {
				c.Backup++
			} else if usable[i] {
				c.Active++
			}
		}
		return c
	}
	used := map[string]bool{}
	for i, s := range b.Servers {
		l, ok := idx[s.Name]
		if !ok {
			continue
		}
		used[s.Name] = true
		v, errs := Validate(l)
		if errs != "" {
			r.Messages = append(r.Messages, fmt.Sprintf("server-state application failed for server '%s/%s'%s", b.Name, s.Name, errs))
			continue
		}
		e, st, partial := decide(b.Name, s, v)
		if st != "" && !s.Disabled {
			usable[i] = false
			c := count()
			r.Messages = append(r.Messages, stateMessage(b.Name, s, st, c))
		}
		usable[i] = !s.Disabled && e.Up && !e.Stopping && !e.Maint && !e.Drain && e.Weight > 0 || s.Disabled && e.Ready && e.Up && !e.Stopping && !e.Drain && e.Weight > 0
		if e.Drain {
			r.Messages = append(r.Messages, fmt.Sprintf("%s %s/%s remains in forced drain mode.", title(s), b.Name, s.Name))
		}
		r.Messages = append(r.Messages, inert(b.Name, s, v)...)
		if partial != "" {
			r.Messages = append(r.Messages, fmt.Sprintf("server-state partially applied for server '%s/%s', %s", b.Name, s.Name, partial))
		}
		r.Effects = append(r.Effects, e)
	}
	for _, name := range order {
		if !used[name] {
			r.Messages = append(r.Messages, fmt.Sprintf("Proxy '%s': can't find server '%s' in backend '%s'", b.Name, name, b.Name))
		}
	}
	return r
}

// decide is srv_state_srv_update for one valid line. st is the state the
// line forces with a message ("DOWN", "stopping"), "" when silent;
// partial is HAProxy's complaint when the check's or agent's address or
// port could not be applied (what came before still applies).
func decide(backend string, s Server, v Values) (e Effect, st, partial string) {
	rise, fall := max(s.Rise, 1), max(s.Fall, 1)
	e = Effect{Backend: backend, Server: s.Name, Up: true, Health: v.CheckHealth, Port: v.Port, LastAddr: v.Addr,
		SinceChange: v.SinceChange, CheckStatus: v.CheckStatus, CheckResult: v.CheckResult, Weight: s.Weight,
		CheckPort: -1, AgentPort: -1}
	switch v.OpState {
	case OpStopped:
		e.Up, e.Health, st = false, 0, "DOWN"
	case OpStarting:
		if rise == 1 {
			e.Health = rise + fall - 1
		} else if e.Health < 1 || e.Health >= rise {
			e.Health = rise - 1
		}
	case OpStopping:
		if fall == 1 {
			e.Up, e.Health, st = false, 0, "DOWN"
			break
		}
		if e.Health < rise || e.Health > rise+fall-2 {
			e.Health = rise
		}
		e.Stopping, st = true, "stopping"
	case OpRunning:
		e.Health = rise + fall - 1
	}
	// A change of `disabled` in the configuration wins over the old
	// process's state; otherwise the forced maintenance carries over, and
	// a `disabled` server enabled at run time stays enabled.
	fileCfg := v.Admin&AdminConfigMaint != 0
	switch {
	case fileCfg != s.Disabled:
		e.Maint = s.Disabled
	case s.Disabled:
		e.Maint = v.Admin&AdminForcedMaint != 0
		e.Ready = !e.Maint
	default:
		e.Maint = v.Admin&AdminForcedMaint != 0
	}
	// drain, unless in maintenance; a drain that only came from a zero
	// weight in the old configuration goes when the weight is positive
	if !e.Maint && v.Admin&AdminForcedDrain != 0 && (v.IWeight > 0 || s.Weight == 0) {
		e.Drain = true
	}
	e.CheckOff = s.Checked && v.CheckDisabled()
	e.AgentOff = s.Agent && v.AgentDisabled()
	if v.IWeight == s.Weight {
		e.Weight = v.UWeight // a weight set at run time, unless the configuration changed it
	}
	if v.CheckAddr != "" || v.CheckPort != "" {
		addr, port, why := addrPort(v.CheckAddr, v.CheckPort, s.Checked && !e.CheckOff, "health checks")
		if why != "" {
			return e, st, why
		}
		e.CheckAddr, e.CheckPort = addr, port
	}
	if v.AgentAddr != "" || v.AgentPort != "" {
		addr, port, why := addrPort(v.AgentAddr, v.AgentPort, s.Agent && !e.AgentOff, "agent checks")
		if why != "" {
			return e, st, why
		}
		e.AgentAddr, e.AgentPort = addr, port
	}
	return e, st, ""
}

// addrPort checks a check's or agent's address and port as HAProxy's
// srv_update_check_addr_port does: the check must be enabled, the address
// an IP, the port an integer in 0..65535. port is -1 when not given.
func addrPort(addr, port string, enabled bool, what string) (string, int, string) {
	if !enabled {
		return "", -1, what + " are not enabled on this server"
	}
	if addr != "" {
		ip, err := netip.ParseAddr(addr)
		if err != nil {
			return "", -1, fmt.Sprintf("invalid addr '%s'", addr)
		}
		addr = ip.String()
	}
	p := -1
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil {
			return "", -1, "provided port is not an integer"
		}
		if n < 0 || n > 65535 {
			return "", -1, "provided port is invalid"
		}
		p = n
	}
	return addr, p, ""
}

// stateMessage is HAProxy's line for a state the file forces.
func stateMessage(backend string, s Server, st string, c Counts) string {
	onBackup := ""
	if c.Backup > 0 && c.Active == 0 {
		onBackup = " Running on backup."
	}
	if st == "DOWN" {
		return fmt.Sprintf("%s %s/%s is DOWN, changed from server-state after a reload. %d active and %d backup servers left.%s 0 sessions active, 0 requeued, 0 remaining in queue.",
			title(s), backend, s.Name, c.Active, c.Backup, onBackup)
	}
	return fmt.Sprintf("%s %s/%s is %s, changed from server-state after a reload. %d active and %d backup servers online.%s 0 sessions requeued, 0 total in queue.",
		title(s), backend, s.Name, st, c.Active, c.Backup, onBackup)
}

func title(s Server) string {
	if s.Backup {
		return "Backup Server"
	}
	return "Server"
}

// inert words what a line carries that goha cannot apply (HAProxy would):
// TLS turned off on the CLI (`set server ... ssl off`) and a host name set
// on the CLI (`set server ... fqdn`). Said, never dropped in silence.
func inert(backend string, s Server, v Values) []string {
	var out []string
	if s.TLS && v.UseSSL == 0 {
		out = append(out, fmt.Sprintf("server-state for server '%s/%s': srv_use_ssl 0 (TLS turned off at run time) has no effect in goha.", backend, s.Name))
	}
	if v.FQDNChanged && v.FQDN != "" && s.FQDN != "" && v.FQDN != s.FQDN {
		out = append(out, fmt.Sprintf("server-state for server '%s/%s': srv_fqdn '%s' (set at run time) has no effect in goha.", backend, s.Name, v.FQDN))
	}
	return out
}
