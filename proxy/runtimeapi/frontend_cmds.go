package runtimeapi

import (
	"errors"
	"sort"
)

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

// ErrFrontendStopped is a FrontendController's answer for a frontend
// `shutdown frontend` stopped.
var ErrFrontendStopped = errors.New("frontend shut down")

// FrontendStopper is a Source that can stop a frontend for good
// (`shutdown frontend`); changed is false when it already was.
type FrontendStopper interface {
	StopFrontend(name string) (changed bool, err error)
}

func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"shutdown", "frontend"}, usage: "shutdown frontend <frontend>", desc: "stop a specific frontend", level: LevelAdmin, run: cmdShutdownFrontend},
	}, commands[len(commands)-3:]...)...)
	listed := commands[:len(commands)-3]
	sort.SliceStable(listed, func(i, j int) bool { return listed[i].usage < listed[j].usage })
}

func cmdShutdownFrontend(s *Session, args []string) string {
	if len(args) < 3 {
		return "A frontend name is expected.\n"
	}
	fs, ok := s.src.(FrontendStopper)
	if !ok {
		return errNotSupported
	}
	changed, err := fs.StopFrontend(args[2])
	switch {
	case err != nil:
		return "No such frontend.\n"
	case !changed:
		return "Frontend was already shut down.\n"
	}
	return ""
}

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
	case errors.Is(err, ErrFrontendStopped) && enabled:
		return "Frontend was previously shut down, cannot enable.\n"
	case errors.Is(err, ErrFrontendStopped):
		return "Frontend was previously shut down, cannot disable.\n"
	case err != nil:
		return "No such frontend.\n"
	case !changed && enabled:
		return "All sockets are already enabled.\n"
	case !changed:
		return "All sockets are already disabled.\n"
	}
	return ""
}
