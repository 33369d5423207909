package runtimeapi

// SessionKiller is a Source that can close the sessions using a server
// (`shutdown sessions server B/S`).
type SessionKiller interface {
	ShutdownServerSessions(backend, server string) error
}

func cmdShutdownServerSessions(s *Session, args []string) string {
	px, sv, msg := s.findServer(argAt(args, 3))
	if msg != "" {
		return msg
	}
	k, ok := s.src.(SessionKiller)
	if !ok {
		return errNotSupported
	}
	if err := k.ShutdownServerSessions(px.Name, sv.Name); err != nil {
		return err.Error() + "\n"
	}
	return ""
}
