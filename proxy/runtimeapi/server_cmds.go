package runtimeapi

import (
	"fmt"
	"strconv"
	"strings"
)

// findServer resolves "backend/server" against a fresh snapshot and
// returns HAProxy's message when it cannot.
func (s *Session) findServer(arg string) (*Proxy, *Server, string) {
	be, sv, ok := strings.Cut(arg, "/")
	if !ok || arg == "" {
		return nil, nil, "Require 'backend/server'.\n"
	}
	proxies := s.src.Stats()
	for i := range proxies {
		px := &proxies[i]
		if px.Backend == nil || px.Name != be {
			continue
		}
		for j := range px.Backend.Servers {
			if px.Backend.Servers[j].Name == sv {
				return px, &px.Backend.Servers[j], ""
			}
		}
		return nil, nil, "No such server.\n"
	}
	return nil, nil, "No such backend.\n"
}

func argAt(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

func (s *Session) setState(args []string, st AdminState) string {
	px, sv, msg := s.findServer(argAt(args, 2))
	if msg != "" {
		return msg
	}
	if err := s.src.SetServerState(px.Name, sv.Name, st); err != nil {
		return err.Error() + "\n"
	}
	return ""
}

func cmdDisableServer(s *Session, args []string) string { return s.setState(args, StateMaint) }
func cmdEnableServer(s *Session, args []string) string  { return s.setState(args, StateReady) }

func cmdGetWeight(s *Session, args []string) string {
	_, sv, msg := s.findServer(argAt(args, 2))
	if msg != "" {
		return msg
	}
	return fmt.Sprintf("%d (initial %d)\n", sv.Weight, sv.InitialWeight)
}

const setServerUsage = "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n"

func cmdSetServer(s *Session, args []string) string {
	px, sv, msg := s.findServer(argAt(args, 2))
	if msg != "" {
		return msg
	}
	switch argAt(args, 3) {
	case "state":
		var st AdminState
		switch argAt(args, 4) {
		case "ready":
			st = StateReady
		case "drain":
			st = StateDrain
		case "maint":
			st = StateMaint
		default:
			return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n"
		}
		if err := s.src.SetServerState(px.Name, sv.Name, st); err != nil {
			return err.Error() + "\n"
		}
		return ""
	case "weight":
		return s.applyWeight(px, sv, argAt(args, 4))
	case "addr":
		return s.setServerAddr(px, sv, args)
	case "check-port", "check-addr":
		return s.setServerCheck(px, sv, args)
	case "health":
		return s.setServerHealth(px, sv, args)
	case "agent", "agent-addr", "agent-port", "agent-send":
		return s.setServerAgent(px, sv, args)
	case "fqdn":
		return setServerFQDN(sv, args)
	case "ssl":
		return "'set server <srv> " + args[3] + "' is not supported by gohaproxy.\n"
	}
	return setServerUsage
}

func cmdSetWeight(s *Session, args []string) string {
	px, sv, msg := s.findServer(argAt(args, 2))
	if msg != "" {
		return msg
	}
	return s.applyWeight(px, sv, argAt(args, 3))
}

func (s *Session) applyWeight(px *Proxy, sv *Server, arg string) string {
	w, msg := ParseWeight(arg, sv.InitialWeight, px.Backend.StaticWeights)
	if msg != "" {
		return msg
	}
	if err := s.src.SetServerWeight(px.Name, sv.Name, w); err != nil {
		return err.Error() + "\n"
	}
	return ""
}

// ParseWeight reads a `set weight` argument: an absolute weight 0..256 or
// a percentage of the initial weight, with HAProxy's messages (one of
// which, as in HAProxy, has no trailing newline).
func ParseWeight(arg string, initial int, static bool) (int, string) {
	if arg == "" {
		return 0, "Require <weight> or <weight%>.\n"
	}
	end := 0
	if end < len(arg) && (arg[end] == '-' || arg[end] == '+') {
		end++
	}
	for end < len(arg) && arg[end] >= '0' && arg[end] <= '9' {
		end++
	}
	w, err := strconv.Atoi(arg[:end])
	if err != nil {
		return 0, "Empty weight string empty or preceded by garbage"
	}
	switch rest := arg[end:]; {
	case rest == "%":
		if w < 0 {
			return 0, "Relative weight must be positive.\n"
		}
		if w > 25600 {
			w = 25600
		}
		w = initial * w / 100
		if w > 256 {
			w = 256
		}
	case w < 0 || w > 256:
		return 0, "Absolute weight can only be between 0 and 256 inclusive.\n"
	case rest != "":
		return 0, "Trailing garbage in weight string"
	}
	if static && w != 0 && w != initial {
		return 0, "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n"
	}
	return w, ""
}
