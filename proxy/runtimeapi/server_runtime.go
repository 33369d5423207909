package runtimeapi

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// Health is what `set server B/S health` forces.
type Health int

// The operational states `set server B/S health` accepts.
const (
	HealthUp Health = iota
	HealthStopping
	HealthDown
)

// ServerController is a Source that can move a server (`set server B/S
// addr|check-port|health`). A Source without it answers that goha does
// not support these subcommands.
type ServerController interface {
	// SetServerAddr points the server's traffic (and its checks, unless
	// they have their own `addr`/`port`) at host:port; idle connections
	// to the old address are closed.
	SetServerAddr(backend, server string, ip netip.Addr, port int) error
	// SetServerCheck changes the address or port its health check
	// connects to (nil: unchanged; port 0: the server's). ok is false when
	// the server has no check.
	SetServerCheck(backend, server string, ip *netip.Addr, port *int) (ok bool, err error)
	// SetServerHealth forces the operational state (health to rise+fall-1,
	// or 0 for down) and logs HAProxy's "changed from CLI" line.
	SetServerHealth(backend, server string, h Health) error
}

// setServerAddr answers `set server B/S addr A [port P]` with the
// message HAProxy 2.6's srv_update_addr_port builds.
func (s *Session) setServerAddr(px *Proxy, sv *Server, args []string) string {
	addr := argAt(args, 4)
	if addr == "" {
		return "set server <b>/<s> addr requires an address and optionally a port.\n"
	}
	ctl, ok := s.src.(ServerController)
	if !ok {
		return errNotSupported
	}
	const by = " by 'stats socket command'\n"
	oldHost, oldPortS, err := net.SplitHostPort(sv.Addr)
	if err != nil {
		oldHost, oldPortS = sv.Addr, "0"
	}
	oldIP, _ := netip.ParseAddr(oldHost)
	oldPort, _ := strconv.Atoi(oldPortS)
	ip, err := netip.ParseAddr(addr)
	if err != nil || ip.Zone() != "" {
		return fmt.Sprintf("Invalid addr '%s'%s", addr, by)
	}
	msg := "no need to change the addr"
	if ip != oldIP {
		msg = fmt.Sprintf("IP changed from '%s' to '%s'", oldHost, addr)
	}
	newPort := oldPort
	if argAt(args, 5) == "port" {
		p := argAt(args, 6)
		msg += ", "
		n, rest, ok := strtol(p)
		switch {
		case ok && (p[0] == '+' || p[0] == '-'):
			// a port map: HAProxy refuses it for a checked server
			// without its own check port; goha maps no port at all
			if sv.Check != nil {
				msg += "can't change <port> to port map because it is incompatible with current health check port configuration (use 'port' statement from the 'server' directive."
			} else {
				msg += "port maps are not supported by goha"
			}
			applyIP(ctl, px, sv, ip, oldIP, oldPort)
			return msg + by
		case !ok || rest != "":
			msg += fmt.Sprintf("problem converting port '%s' to an int", p)
			applyIP(ctl, px, sv, ip, oldIP, oldPort)
			return msg + by
		}
		newPort = int(uint16(n)) // HAProxy stores the port in 16 bits
		if newPort != oldPort {
			msg += fmt.Sprintf("port changed from '%d' to '%d'", oldPort, newPort)
		} else {
			msg += "no need to change the port"
		}
	}
	if ip != oldIP || newPort != oldPort {
		if err := ctl.SetServerAddr(px.Name, sv.Name, ip, newPort); err != nil {
			return err.Error() + "\n"
		}
	}
	return msg + by
}

// applyIP changes only the address when the port part of the command was
// refused (HAProxy keeps the address it already applied).
func applyIP(ctl ServerController, px *Proxy, sv *Server, ip, oldIP netip.Addr, oldPort int) {
	if ip != oldIP {
		ctl.SetServerAddr(px.Name, sv.Name, ip, oldPort)
	}
}

// setServerCheck answers `set server B/S check-port P` and `check-addr A
// [port P]` as HAProxy 2.6's srv_update_check_addr_port: the check must
// be enabled, then the address, then the port are read.
func (s *Session) setServerCheck(px *Proxy, sv *Server, args []string) string {
	var ipArg, portArg string
	if args[3] == "check-addr" {
		if ipArg = argAt(args, 4); ipArg == "" {
			return "set server <b>/<s> check-addr requires an address and optionally a port.\n"
		}
		if argAt(args, 5) == "port" {
			portArg = argAt(args, 6)
		}
	} else if portArg = argAt(args, 4); portArg == "" {
		return "set server <b>/<s> check-port requires a port.\n"
	}
	if sv.Check == nil {
		return "health checks are not enabled on this server"
	}
	var ip *netip.Addr
	if ipArg != "" {
		a, err := netip.ParseAddr(ipArg)
		if err != nil || a.Zone() != "" {
			return fmt.Sprintf("invalid addr '%s'", ipArg)
		}
		ip = &a
	}
	var port *int
	if portArg != "" || (args[3] == "check-addr" && argAt(args, 5) == "port") {
		n, rest, ok := strtol(portArg)
		if !ok || rest != "" {
			return "provided port is not an integer"
		}
		if n < 0 || n > 65535 {
			return "provided port is invalid"
		}
		p := int(n)
		port = &p
	}
	ctl, ok := s.src.(ServerController)
	if !ok {
		return errNotSupported
	}
	if ok, err := ctl.SetServerCheck(px.Name, sv.Name, ip, port); err != nil {
		return err.Error() + "\n"
	} else if !ok {
		return "health checks are not enabled on this server"
	}
	return ""
}

func (s *Session) setServerHealth(px *Proxy, sv *Server, args []string) string {
	if sv.Tracked != "" {
		// HAProxy refuses it before reading the argument
		return "cannot change health on a tracking server.\n"
	}
	var h Health
	switch argAt(args, 4) {
	case "up":
		h = HealthUp
	case "stopping":
		h = HealthStopping
	case "down":
		h = HealthDown
	default:
		return "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n"
	}
	ctl, ok := s.src.(ServerController)
	if !ok {
		return errNotSupported
	}
	if err := ctl.SetServerHealth(px.Name, sv.Name, h); err != nil {
		return err.Error() + "\n"
	}
	return ""
}

// AgentController is a Source that can change a server's agent-check
// (`set server B/S agent|agent-addr|agent-port|agent-send`).
type AgentController interface {
	// SetAgentHealth forces the agent's verdict and logs HAProxy's
	// "changed from CLI" line when the server's state changes.
	SetAgentHealth(backend, server string, up bool) error
	// SetAgent changes the agent's address, port or what it sends; nil
	// arguments keep the current value.
	SetAgent(backend, server string, ip *netip.Addr, port *int, send *string) error
}

// setServerAgent answers the agent subcommands with HAProxy 2.6's
// messages (some without a trailing newline, as HAProxy's).
func (s *Session) setServerAgent(px *Proxy, sv *Server, args []string) string {
	if sv.Agent == nil {
		switch args[3] {
		case "agent-addr", "agent-port":
			return "agent checks are not enabled on this server"
		}
		return "agent checks are not enabled on this server.\n"
	}
	ctl, ok := s.src.(AgentController)
	if !ok {
		return errNotSupported
	}
	arg := argAt(args, 4)
	var err error
	switch args[3] {
	case "agent":
		if arg != "up" && arg != "down" {
			return "'set server <srv> agent' expects 'up' or 'down'.\n"
		}
		err = ctl.SetAgentHealth(px.Name, sv.Name, arg == "up")
	case "agent-addr":
		if arg == "" {
			return "set server <b>/<s> agent-addr requires an address and optionally a port.\n"
		}
		ip, perr := netip.ParseAddr(arg)
		if perr != nil || ip.Zone() != "" {
			return fmt.Sprintf("invalid addr '%s'", arg)
		}
		err = ctl.SetAgent(px.Name, sv.Name, &ip, nil, nil)
	case "agent-port":
		if arg == "" {
			return "set server <b>/<s> agent-port requires a port.\n"
		}
		n, rest, ok := strtol(arg)
		if !ok || rest != "" {
			return "provided port is not an integer"
		}
		if n < 0 || n > 65535 {
			return "provided port is invalid"
		}
		p := int(n)
		err = ctl.SetAgent(px.Name, sv.Name, nil, &p, nil)
	case "agent-send":
		err = ctl.SetAgent(px.Name, sv.Name, nil, nil, &arg)
	}
	if err != nil {
		return err.Error() + "\n"
	}
	return ""
}

// setServerFQDN: a server without resolvers cannot take a name, which
// HAProxy words as below; changing the name a server's resolvers follow
// is not done by goha yet.
func setServerFQDN(sv *Server, args []string) string {
	if argAt(args, 4) == "" {
		return "set server <b>/<s> fqdn requires a FQDN.\n"
	}
	if sv.Resolved {
		return errNotSupported
	}
	return "set server <b>/<s> fqdn failed because no resolution is configured.\n"
}
