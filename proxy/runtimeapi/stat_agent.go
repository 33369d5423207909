package runtimeapi

import (
	"fmt"
	"time"
)

// agentColumns fills the agent-check columns of a server row; HAProxy
// shows them whenever the agent is configured, maintenance included.
func (r *row) agentColumns(ag *Check) {
	if ag == nil {
		return
	}
	r.set("agent_status", runningMark(ag)+ag.Status)
	if ag.Status == "L7OK" || ag.Status == "L7STS" {
		r.num("agent_code", int64(ag.Code))
	}
	if ag.Status != "INI" {
		r.num("agent_duration", int64(ag.Duration/time.Millisecond))
	}
	r.set("agent_desc", ag.Desc)
	r.set("last_agt", ag.Info)
	r.num("agent_rise", int64(ag.Rise))
	r.num("agent_fall", int64(ag.Fall))
	r.num("agent_health", int64(ag.Health))
}

// runningMark is what HAProxy writes before the status of a check under
// way.
func runningMark(ck *Check) string {
	if ck.Running {
		return "* "
	}
	return ""
}

// trackerAgentStatus is the status of a tracking server when agents are
// involved: HAProxy reads the agent and check of the server at the end of
// the chain (ref), not the tracking server's own agent: "DRAIN (agent)",
// "DOWN (agent)", or, down while ref's checks pass (its own agent said
// down), "DOWN h/n" from ref's check. ok is false where the plain rules
// apply.
func trackerAgentStatus(sv, ref *Server) (string, bool) {
	switch {
	case sv.Up && sv.Drain && ref.Agent != nil:
		return "DRAIN (agent)", true
	case sv.Up:
		return "", false
	case ref.Agent != nil && ref.Agent.Health == 0:
		return "DOWN (agent)", true
	}
	ck := ref.Check
	if ck == nil {
		ck = ref.Agent
	}
	switch {
	case ck == nil || ck.Health == 0:
		return "DOWN", true
	case ref.Up:
		return fmt.Sprintf("DOWN %d/%d", ck.Health-ck.Rise+1, ck.Fall), true
	}
	return fmt.Sprintf("DOWN %d/%d", ck.Health, ck.Rise), true
}
