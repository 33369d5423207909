package haproxy

import (
	"bufio"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
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
	// Implicit: the section HAProxy 2.6 makes, named "default", when the
	// configuration has none of that name and /etc/resolv.conf lists a
	// usable nameserver; its nameservers are that file's, on port 53,
	// named by their address (resolvers.c resolvers_create_default).
	Implicit       bool
	Retries        int           // resolve_retries (3)
	TimeoutResolve time.Duration // how often resolutions are due (1s)
	TimeoutRetry   time.Duration // how long to wait for an answer (1s)
	PayloadSize    int           // accepted_payload_size (512)
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
		r := newResolvers(sec.Name, sec.Pos)
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
	if s.sectionNamed("resolvers", "default") == nil && len(s.implicitNameservers()) > 0 {
		// made after the file's sections, so listed after them (show resolvers)
		r := newResolvers("default", Pos{})
		r.Implicit = true
		for _, a := range s.implicitNameservers() {
			r.Nameservers = append(r.Nameservers, Nameserver{Name: a, Addr: net.JoinHostPort(a, "53")})
		}
		s.cfg.Resolvers = append(s.cfg.Resolvers, r)
	}
}

// newResolvers is a section with HAProxy 2.6's defaults (resolvers_new).
func newResolvers(name string, pos Pos) *ResolversSection {
	return &ResolversSection{Name: name, Pos: pos, Retries: 3, TimeoutResolve: time.Second,
		TimeoutRetry: time.Second, PayloadSize: 512, Hold: map[string]time.Duration{
			"valid": 10 * time.Second, "nx": 30 * time.Second, "timeout": 30 * time.Second,
			"refused": 30 * time.Second, "other": 30 * time.Second, "obsolete": 0}}
}

// resolversExist reports whether a server or do-resolve may name the
// resolvers section: one of the file, or the implicit "default" one.
func (s *state) resolversExist(name string) bool {
	if s.sectionNamed("resolvers", name) != nil {
		return true
	}
	return name == "default" && len(s.implicitNameservers()) > 0
}

// implicitNameservers are /etc/resolv.conf's nameservers, read once per
// check: HAProxy reads the file once, after parsing, and makes no
// section when it is missing or lists none it can use (silently: the
// section's warnings are dropped).
func (s *state) implicitNameservers() []string {
	if !s.implicitRead {
		s.implicitNS, s.implicitRead = s.lookups.resolvConf(), true
	}
	return s.implicitNS
}

// ResolvConfNameservers reads the nameserver addresses of a resolv.conf
// as HAProxy 2.6's parse-resolv-conf does: a line that begins with
// "nameserver" and a blank, its first word, an IP address; a repeated
// address is used once. (HAProxy also resolves a host name written
// there; such a line is left out here.)
func ResolvConfNameservers(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "nameserver")
		if !ok || rest == "" || !strings.ContainsRune(" \t\r", rune(rest[0])) {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 || seen[fields[0]] {
			continue
		}
		if _, err := netip.ParseAddr(fields[0]); err == nil {
			seen[fields[0]] = true
			out = append(out, fields[0])
		}
	}
	return out
}
