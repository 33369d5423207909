package runtimeapi

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
)

// NewCheck is the health check of a server `add server ... check`
// creates: zero values are the backend's defaults (the runtime fills
// them as for a configured server); Addr and Port are `addr` and `port`.
type NewCheck struct {
	Inter, FastInter, DownInter time.Duration
	Rise, Fall                  int
	Addr                        string
	Port                        int
}

// checkKeywords are the check settings `add server` takes in goha.
var checkKeywords = map[string]bool{"check": true, "inter": true, "fastinter": true, "downinter": true,
	"rise": true, "fall": true, "addr": true, "port": true}

// parseCheckKeyword applies one of checkKeywords (with val, its argument)
// to c; msg is HAProxy's answer for a bad value.
func parseCheckKeyword(c *NewCheck, name, kw, val string) (msg string) {
	switch kw {
	case "inter", "fastinter", "downinter":
		if val == "" {
			return fmt.Sprintf("'%s' expects a delay as argument..\n", kw)
		}
		d, bad, err := haproxy.ParseTime(val)
		if err != nil {
			// HAProxy 2.6 names the argument 'agent-inter' in this message
			return fmt.Sprintf("unexpected character '%c' in 'agent-inter' argument of server %s..\n", val[bad], name)
		}
		if d <= 0 {
			return fmt.Sprintf("invalid value 0 for argument '%s' of server %s..\n", kw, name)
		}
		switch kw {
		case "inter":
			c.Inter = d
		case "fastinter":
			c.FastInter = d
		default:
			c.DownInter = d
		}
	case "rise", "fall":
		if val == "" {
			return fmt.Sprintf("'%s' expects an integer argument..\n", kw)
		}
		n := atoi(val)
		if n <= 0 {
			return fmt.Sprintf("'%s' has to be > 0..\n", kw)
		}
		if kw == "rise" {
			c.Rise = n
		} else {
			c.Fall = n
		}
	case "addr":
		ip, err := netip.ParseAddr(val)
		if err != nil || ip.Zone() != "" {
			return fmt.Sprintf("'addr' : invalid address: '%s' in '%s'.\n", val, val)
		}
		c.Addr = ip.String()
	case "port":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > 65535 {
			return "a dynamic server's check port must be a number from 1 to 65535 in goha.\n"
		}
		c.Port = n
	}
	return ""
}
