package runtimeapi

// CheckSwitch is a Source whose servers' health and agent checks can be
// turned off and on (`disable|enable health|agent`).
type CheckSwitch interface {
	// SetCheckEnabled turns the health check (agent false) or the agent
	// check of a server off or on; ok is false when the server has none.
	SetCheckEnabled(backend, server string, agent, on bool) (ok bool)
}

func cmdDisableAgent(s *Session, args []string) string  { return s.switchCheck(args, true, false) }
func cmdEnableAgent(s *Session, args []string) string   { return s.switchCheck(args, true, true) }
func cmdDisableHealth(s *Session, args []string) string { return s.switchCheck(args, false, false) }
func cmdEnableHealth(s *Session, args []string) string  { return s.switchCheck(args, false, true) }

// switchCheck answers as HAProxy 2.6: nothing on success, and only
// `enable` complains about a server without such a check.
func (s *Session) switchCheck(args []string, agent, on bool) string {
	px, sv, msg := s.findServer(argAt(args, 2))
	if msg != "" {
		return msg
	}
	cs, ok := s.src.(CheckSwitch)
	if !ok {
		return errNotSupported
	}
	if !cs.SetCheckEnabled(px.Name, sv.Name, agent, on) && on {
		if agent {
			return "Agent was not configured on this server, cannot enable.\n"
		}
		return "Health check was not configured on this server, cannot enable.\n"
	}
	return ""
}
