package runtimeapi

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
)

// NewAgent is the agent-check of a server `add server ... agent-check`
// creates: Addr and Port are `agent-addr` and `agent-port`, else `addr`
// and `port` (as HAProxy sets both); Inter is `agent-inter` (0: the
// default interval); Send is `agent-send`.
type NewAgent struct {
	Addr  string
	Port  int
	Inter time.Duration
	Send  string
}

// agentKeywords are the agent settings `add server` takes in goha.
var agentKeywords = map[string]bool{"agent-port": true, "agent-addr": true, "agent-inter": true, "agent-send": true}

// parseAgentKeyword applies one of agentKeywords (with val, its argument)
// to a; msg is HAProxy's answer for a bad value.
func parseAgentKeyword(a *NewAgent, name, kw, val string) (msg string) {
	switch kw {
	case "agent-port":
		if val == "" {
			return "'agent-port' expects a port number as argument..\n"
		}
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > 65535 {
			return "a dynamic server's agent port must be a number from 1 to 65535 in goha.\n"
		}
		a.Port = n
	case "agent-addr":
		ip, err := netip.ParseAddr(val)
		if err != nil || ip.Zone() != "" {
			return "a dynamic server's agent-addr must be an IP address in goha.\n"
		}
		a.Addr = ip.String()
	case "agent-inter":
		if val == "" {
			return "'agent-inter' expects a delay as argument..\n"
		}
		d, bad, err := haproxy.ParseTime(val)
		if err != nil {
			return fmt.Sprintf("unexpected character '%c' in 'agent-inter' argument of server %s..\n", val[bad], name)
		}
		if d <= 0 {
			return fmt.Sprintf("invalid value 0 for argument '%s' of server %s..\n", kw, name)
		}
		a.Inter = d
	case "agent-send":
		a.Send = val
	}
	return ""
}
