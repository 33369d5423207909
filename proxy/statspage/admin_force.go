package statspage

import "github.com/goha-lb/goha/proxy/runtimeapi"

// HealthSource is an AdminSource that can force a server's health or
// agent verdict, the admin form's "Health: force ..." and "Agent: force
// ..." actions (HAProxy 2.6 forces the health of any server, checked or
// not). ForceAgent's ok is false when the server has no agent-check:
// HAProxy then leaves it alone and does not count it at all.
type HealthSource interface {
	ForceHealth(backend, server string, h runtimeapi.Health) error
	ForceAgent(backend, server string, up bool) (ok bool, err error)
	// SetCheckEnabled turns the health check (agent false) or the agent
	// check off or on; ok is false when the server has none (not
	// counted).
	SetCheckEnabled(backend, server string, agent, on bool) (ok bool)
	// ShutdownServerSessions kills the sessions on the server.
	ShutdownServerSessions(backend, server string) error
}

// forceAction returns how the form's health/agent/kill action alters one
// server (whether it counts, whether it was altered), nil when goha does
// not perform the action (the legacy names) or src cannot.
func forceAction(src Source, backend, action string) func(server string) (bool, bool) {
	hs, ok := src.(HealthSource)
	if !ok {
		return nil
	}
	health := func(h runtimeapi.Health) func(string) (bool, bool) {
		return func(server string) (bool, bool) {
			return true, hs.ForceHealth(backend, server, h) == nil
		}
	}
	agent := func(up bool) func(string) (bool, bool) {
		return func(server string) (bool, bool) {
			ok, err := hs.ForceAgent(backend, server, up)
			return ok, ok && err == nil
		}
	}
	enable := func(agent, on bool) func(string) (bool, bool) {
		return func(server string) (bool, bool) {
			ok := hs.SetCheckEnabled(backend, server, agent, on)
			return ok, ok
		}
	}
	switch action {
	case "dhlth", "ehlth":
		return enable(false, action == "ehlth")
	case "dagent", "eagent":
		return enable(true, action == "eagent")
	case "shutdown":
		// HAProxy kills the sessions of every server named (its proxy is
		// never stopped while goha serves the page) and counts each.
		return func(server string) (bool, bool) {
			return true, hs.ShutdownServerSessions(backend, server) == nil
		}
	case "hrunn":
		return health(runtimeapi.HealthUp)
	case "hnolb":
		return health(runtimeapi.HealthStopping)
	case "hdown":
		return health(runtimeapi.HealthDown)
	case "arunn":
		return agent(true)
	case "adown":
		return agent(false)
	}
	return nil
}
