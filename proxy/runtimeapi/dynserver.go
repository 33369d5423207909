package runtimeapi

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// NewServer is a server `add server` creates.
type NewServer struct {
	Name              string
	Addr              netip.AddrPort
	Weight            int
	MaxConn, MaxQueue int
	Backup            bool
	// Check is set by `check`; the other check keywords fill it in any
	// case and only count with `check`, as in HAProxy.
	Check    *NewCheck
	checkSet bool
	// Agent is set by `agent-check` (dynagent.go).
	Agent *NewAgent
	// CheckAddr and CheckPort are `addr` and `port`, with or without
	// checks (show servers state lists them).
	CheckAddr string
	CheckPort int
	// AgentAddr and AgentPort are `agent-addr` and `agent-port`, else
	// `addr` and `port`, with or without an agent.
	AgentAddr string
	AgentPort int
}

// DynamicServers is a Source that adds and removes servers at run time
// (`add server`, `del server`). Its errors are the ones below; any other
// is printed as it is.
type DynamicServers interface {
	// AddServer creates the server in maintenance.
	AddServer(backend string, ns NewServer) error
	// DelServer removes a server that is in maintenance and serves no
	// connection.
	DelServer(backend, server string) error
	// CLINotice prints what HAProxy prints on stderr for these commands
	// ("CLI : 'server b/s' : New server registered."), as an alert or a
	// notice.
	CLINotice(msg string, alert bool)
}

// The refusals of AddServer and DelServer HAProxy has a message for, and
// the one goha adds (a server it cannot let go of).
var (
	ErrServerExists   = errors.New("Already exists a server with the same name in backend.\n")
	ErrStaticBalance  = errors.New("Backend must use a dynamic load balancing to support dynamic servers.")
	ErrServerNotMaint = errors.New("Only servers in maintenance mode can be deleted.")
	ErrServerBusy     = errors.New("Server still has connections attached to it, cannot remove it.")
	ErrServerPinned   = errors.New("This server has a health or agent check: goha cannot remove it at runtime.")
)

// dynamicKeywords are the server keywords `add server` takes in goha;
// notDynamic the ones HAProxy 2.6 refuses on a dynamic server. Any other
// server keyword is one goha does not apply to a dynamic server yet.
var notDynamic = map[string]bool{"cookie": true, "redir": true}

// splitBackendServer cuts "backend/server" as HAProxy's add/del server
// do: both halves must be there.
func splitBackendServer(arg string) (be, sv string, ok bool) {
	be, sv, ok = strings.Cut(arg, "/")
	return be, sv, ok && be != "" && sv != ""
}

func cmdAddServer(s *Session, args []string) string {
	be, name, ok := splitBackendServer(argAt(args, 2))
	if !ok {
		return "Require 'backend/server'."
	}
	px := s.backendByName(be)
	if px == nil {
		return "No such backend."
	}
	ds, ok := s.src.(DynamicServers)
	if !ok {
		return errNotSupported
	}
	if px.Backend.StaticWeights {
		return ErrStaticBalance.Error()
	}
	ns, msg := parseNewServer(name, args[3:])
	if msg != "" {
		if !strings.HasPrefix(msg, "'server' expects") {
			ds.CLINotice(fmt.Sprintf("'server %s/%s' : %s", be, name, strings.TrimRight(msg, "\n")), true)
		} else {
			ds.CLINotice(strings.TrimRight(msg, "\n"), true)
		}
		return msg
	}
	if err := ds.AddServer(be, ns); err != nil {
		if errors.Is(err, ErrServerExists) {
			ds.CLINotice(fmt.Sprintf("'server %s/%s' : %s", be, name, strings.TrimRight(err.Error(), "\n")), true)
		}
		return err.Error()
	}
	ds.CLINotice(fmt.Sprintf("'server %s/%s' : New server registered.", be, name), false)
	return "New server registered.\n"
}

func cmdDelServer(s *Session, args []string) string {
	be, name, ok := splitBackendServer(argAt(args, 2))
	if !ok {
		return "Require 'backend/server'."
	}
	px := s.backendByName(be)
	if px == nil {
		return "No such backend."
	}
	found := false
	for _, sv := range px.Backend.Servers {
		found = found || sv.Name == name
	}
	if !found {
		return "No such server."
	}
	ds, ok := s.src.(DynamicServers)
	if !ok {
		return errNotSupported
	}
	if err := ds.DelServer(be, name); err != nil {
		return err.Error()
	}
	ds.CLINotice("Server deleted.", false)
	return "Server deleted."
}

// backendByName finds a section with a backend half.
func (s *Session) backendByName(name string) *Proxy {
	proxies := s.src.Stats()
	for i := range proxies {
		if proxies[i].Backend != nil && proxies[i].Name == name {
			return &proxies[i]
		}
	}
	return nil
}

// parseNewServer reads `add server`'s address and keywords; msg is
// HAProxy's answer (or goha's, for what it does not apply) when they
// cannot make a server.
func parseNewServer(name string, args []string) (NewServer, string) {
	ns := NewServer{Name: name, Weight: 1}
	if len(args) == 0 {
		return ns, "'server' expects <name> and <addr>[:<port>] as arguments.\n"
	}
	addr, msg := parseServerAddr(args[0])
	if msg != "" {
		return ns, msg
	}
	ns.Addr = addr
	var chk NewCheck
	var agent NewAgent
	agentSet := false
	for i := 1; i < len(args); i++ {
		kw, val := args[i], argAt(args, i+1)
		switch kw {
		case "backup":
			ns.Backup = true
			continue
		case "weight":
			w := atoi(val)
			if w < 0 || w > 256 {
				return ns, fmt.Sprintf("weight of server %s is not within 0 and 256 (%d)..\n", name, w)
			}
			ns.Weight = w
		case "maxconn":
			ns.MaxConn = atoi(val)
		case "maxqueue":
			ns.MaxQueue = atoi(val)
		case "check":
			ns.checkSet = true
			continue
		case "agent-check":
			agentSet = true
			continue
		default:
			if agentKeywords[kw] {
				if msg := parseAgentKeyword(&agent, name, kw, val); msg != "" {
					return ns, msg
				}
				break
			}
			if checkKeywords[kw] {
				if msg := parseCheckKeyword(&chk, name, kw, val); msg != "" {
					return ns, msg
				}
				break
			}
			if notDynamic[kw] {
				return ns, fmt.Sprintf("'%s' option is not accepted for dynamic server\n", kw)
			}
			return ns, fmt.Sprintf("'%s' is not supported by goha on a dynamic server (weight, maxconn, maxqueue, backup, the check keywords check, inter, fastinter, downinter, rise, fall, addr and port, and agent-check, agent-port, agent-addr, agent-inter and agent-send are).\n", kw)
		}
		i++ // the keyword's value
	}
	if ns.checkSet {
		ns.Check = &chk
	}
	ns.CheckAddr, ns.CheckPort = chk.Addr, chk.Port
	// `addr` and `port` are the agent's too unless its own were given
	agent.Addr, agent.Port = cmp.Or(agent.Addr, chk.Addr), cmp.Or(agent.Port, chk.Port)
	ns.AgentAddr, ns.AgentPort = agent.Addr, agent.Port
	if agentSet {
		if agent.Port == 0 {
			return ns, fmt.Sprintf("server %s does not have agent port. Agent check has been disabled.\n", name)
		}
		ns.Agent = &agent
	}
	return ns, ""
}

// parseServerAddr reads <addr>:<port> with HAProxy's messages for a bad
// port; goha needs an IP address and a port.
func parseServerAddr(a string) (netip.AddrPort, string) {
	host, port := a, ""
	if i := strings.LastIndexByte(a, ':'); i >= 0 {
		host, port = a[:i], a[i+1:]
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			if i == 0 && (port[0] == '+' || port[0] == '-') {
				return netip.AddrPort{}, "port maps are not supported by goha on a dynamic server.\n"
			}
			return netip.AddrPort{}, fmt.Sprintf("invalid character '%c' in port number '%s' in '%s'\n\n", port[i], port, a)
		}
	}
	n, _ := strconv.Atoi(port)
	if len(port) > 5 || n > 65535 {
		return netip.AddrPort{}, fmt.Sprintf("invalid port '%s'\n", port)
	}
	if host == "" {
		host = "0.0.0.0"
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" {
		return netip.AddrPort{}, "a dynamic server needs an IP address in goha (no name resolution at runtime).\n"
	}
	if n == 0 {
		return netip.AddrPort{}, "a dynamic server needs a port in goha.\n"
	}
	return netip.AddrPortFrom(ip, uint16(n)), ""
}
