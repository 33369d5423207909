package runtimeapi

import "time"

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
