package runtimeapi

import "errors"

// FrontendController is a Source that can pause and resume a frontend's
// listeners (`disable frontend`, `enable frontend`). A Source without it
// answers that goha does not support the commands.
type FrontendController interface {
	// SetFrontendEnabled pauses (false) or resumes (true) accepting on
	// the frontend's listeners; changed is false when it already was in
	// that state. ErrNoFrontend: no frontend (or listen) of that name.
	SetFrontendEnabled(name string, enabled bool) (changed bool, err error)
}

// ErrNoFrontend is a FrontendController's answer for an unknown name.
var ErrNoFrontend = errors.New("no such frontend")

func cmdDisableFrontend(s *Session, args []string) string { return setFrontend(s, args, false) }

func cmdEnableFrontend(s *Session, args []string) string { return setFrontend(s, args, true) }

// setFrontend answers with HAProxy 2.6's messages.
func setFrontend(s *Session, args []string, enabled bool) string {
	if len(args) < 3 {
		return "A frontend name is expected.\n"
	}
	fc, ok := s.src.(FrontendController)
	if !ok {
		return errNotSupported
	}
	changed, err := fc.SetFrontendEnabled(args[2], enabled)
	switch {
	case err != nil:
		return "No such frontend.\n"
	case !changed && enabled:
		return "All sockets are already enabled.\n"
	case !changed:
		return "All sockets are already disabled.\n"
	}
	return ""
}
