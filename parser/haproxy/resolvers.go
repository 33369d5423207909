package haproxy

import (
	"strconv"
	"time"
)

// ResolversSection is a typed `resolvers` section, with HAProxy 2.6's
// defaults for what it does not set (resolvers.c resolvers_new).
type ResolversSection struct {
	Name        string
	Pos         Pos
	Nameservers []Nameserver
	// ParseResolvConf: the nameserver lines of /etc/resolv.conf are added
	// when the runtime starts (named by their address).
	ParseResolvConf bool
	Retries         int           // resolve_retries (3)
	TimeoutResolve  time.Duration // how often resolutions are due (1s)
	TimeoutRetry    time.Duration // how long to wait for an answer (1s)
	PayloadSize     int           // accepted_payload_size (512)
	// Hold is how long the last valid answer stays in force after each
	// kind of outcome: "valid" (10s), "nx", "timeout", "refused",
	// "other" (30s), "obsolete" (0s).
	Hold map[string]time.Duration
}

// Nameserver is one `nameserver <id> <ip:port>` line (UDP only).
type Nameserver struct {
	Name, Addr string
}

// typedResolvers builds Config.Resolvers from the raw sections (the
// statements were validated while parsing).
func (s *state) typedResolvers() {
	for _, sec := range s.cfg.Others {
		if sec.Kind != "resolvers" {
			continue
		}
		r := &ResolversSection{Name: sec.Name, Pos: sec.Pos, Retries: 3, TimeoutResolve: time.Second,
			TimeoutRetry: time.Second, PayloadSize: 512, Hold: map[string]time.Duration{
				"valid": 10 * time.Second, "nx": 30 * time.Second, "timeout": 30 * time.Second,
				"refused": 30 * time.Second, "other": 30 * time.Second, "obsolete": 0}}
		for _, st := range sec.Statements {
			a := st.Args
			arg := func(i int) string {
				if i < len(a) {
					return a[i]
				}
				return ""
			}
			switch a[0] {
			case "nameserver":
				r.Nameservers = append(r.Nameservers, Nameserver{Name: arg(1), Addr: arg(2)})
			case "parse-resolv-conf":
				r.ParseResolvConf = true
			case "resolve_retries":
				if n, err := strconv.Atoi(arg(1)); err == nil {
					r.Retries = n
				}
			case "accepted_payload_size":
				if n, err := strconv.Atoi(arg(1)); err == nil {
					r.PayloadSize = n
				}
			case "timeout":
				if d, _, err := ParseTime(arg(2)); err == nil {
					if arg(1) == "resolve" {
						r.TimeoutResolve = d
					} else {
						r.TimeoutRetry = d
					}
				}
			case "hold":
				if d, _, err := ParseTime(arg(2)); err == nil {
					r.Hold[arg(1)] = d
				}
			}
		}
		s.cfg.Resolvers = append(s.cfg.Resolvers, r)
	}
}
