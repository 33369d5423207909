package haproxy

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// Ring is a typed `ring` section: an in-memory buffer of log messages
// (`log ring@<name>` targets write to it), optionally forwarded over TCP
// to syslog servers.
type Ring struct {
	Pos         Pos
	Name        string
	Description string // `description`; the name when not given
	// Format is the header written before each message ("raw" by
	// default; one of ringFormats).
	Format string
	// Size is the buffer size in bytes (16384 at least); MaxLen the
	// longest message kept (header included, cut beyond), at most Size.
	Size, MaxLen int
	// TimeoutConnect and TimeoutServer are the forwarding connections'
	// timeouts (0: none).
	TimeoutConnect, TimeoutServer time.Duration
	Servers                       []RingServer
	// dead: the section's name was taken; HAProxy then refuses each of
	// its statements.
	dead bool
}

// RingServer is a `server` line of a ring section.
type RingServer struct {
	Pos  Pos
	Name string
	// Addr is the server's ip:port; "" when goha cannot dial what was
	// written (Unsupported says why).
	Addr string
	// OctetCount: `log-proto octet-count` (RFC 6587 framing: the length,
	// a space, the message); otherwise `legacy`, each message ends with a
	// newline.
	OctetCount bool
	// Unsupported lists what goha does not honour on the line (server
	// options other than log-proto, an address without a port or that is
	// not an IP address); the runtime refuses them.
	Unsupported []string
}

// ringDefaultSize is HAProxy 2.6's BUFSIZE: a ring's initial size and
// maximum message length.
const ringDefaultSize = 16384

// sinkNames are the sinks HAProxy 2.6 declares before the configuration.
var sinkNames = []string{"stdout", "stderr", "buf0"}

// ringBegin opens a ring section; a name already taken by a sink is an
// alert, as in HAProxy.
func (s *state) ringBegin(p Pos, name string) {
	taken := contains(sinkNames, name)
	for _, r := range s.cfg.Rings {
		taken = taken || r.Name == name
	}
	if taken {
		s.alert(p, "sink named '%s' already exists.", name)
		s.curRing = &Ring{dead: true}
		return
	}
	s.curRing = &Ring{Pos: p, Name: name, Description: name, Format: "raw", Size: ringDefaultSize, MaxLen: ringDefaultSize}
}

// ringStatement validates and types one statement of a ring section.
func (s *state) ringStatement(p Pos, w []string) {
	r := s.curRing
	if r == nil {
		return
	}
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	if r.dead {
		switch w[0] {
		case "size":
			s.alert(p, "'size' directive not usable with this type of sink.")
		case "maxlen":
			s.alert(p, "unable to set event max length '%s'.", arg(1))
		case "server":
			s.alert(p, "unable to create server '%s'.", arg(1))
		default: // format, description, timeout
			s.alert(p, "unable to set %s '%s'.", w[0], arg(1))
		}
		return
	}
	switch w[0] {
	case "size":
		n := atol(arg(1))
		switch {
		case n <= 0:
			s.alert(p, "invalid size '%s' for new sink buffer.", arg(1))
		case n < r.Size:
			s.warn(p, "ignoring new size '%d' that is smaller than current size '%d' for ring '%s'.", n, r.Size, r.Name)
			s.fileFatal = true
		default:
			r.Size = n
		}
	case "maxlen":
		n := atol(arg(1))
		if n <= 0 {
			s.alert(p, "invalid size '%s' for new sink buffer.", arg(1))
			return
		}
		r.MaxLen = n
	case "format":
		if !contains(ringFormats, arg(1)) {
			s.alert(p, "unknown format '%s'.", arg(1))
			return
		}
		r.Format = arg(1)
	case "description":
		if arg(1) == "" {
			s.alert(p, "missing ring description text.")
			return
		}
		r.Description = arg(1)
	case "timeout":
		if arg(1) != "connect" && arg(1) != "server" {
			return // HAProxy 2.6 accepts and ignores other timeouts here
		}
		if arg(2) == "" {
			s.alert(p, "'%s %s' expects <time> as argument.", w[0], arg(1))
			return
		}
		d, bad, err := ParseTime(arg(2))
		if err != nil {
			if bad < len(arg(2)) {
				s.alertRaw(p.File, p.Line, fmt.Sprintf("unexpected character '%c' in argument to <%s %s>.", arg(2)[bad], w[0], arg(1)))
				s.fileFatal = true
			} else {
				s.alert(p, "invalid time '%s' in '%s %s'.", arg(2), w[0], arg(1))
			}
			return
		}
		if arg(1) == "connect" {
			r.TimeoutConnect = d
		} else {
			r.TimeoutServer = d
		}
	case "server":
		s.ringServer(r, p, w)
	}
}

func (s *state) ringServer(r *Ring, p Pos, w []string) {
	if len(w) < 3 {
		return // the section check alerted
	}
	rs := RingServer{Pos: p, Name: w[1]}
	if ap, err := netip.ParseAddrPort(w[2]); err == nil && ap.Port() != 0 && ap.Addr().Zone() == "" {
		rs.Addr = ap.String()
	} else {
		rs.Unsupported = append(rs.Unsupported, "ring server address '"+w[2]+"' (goha forwards to an IP address and port)")
	}
	for i := 3; i < len(w); i++ {
		if w[i] != "log-proto" {
			rs.Unsupported = append(rs.Unsupported, "ring server option "+w[i])
			continue
		}
		v := ""
		if i+1 < len(w) {
			v = w[i+1]
			i++
		}
		switch v {
		case "legacy":
			rs.OctetCount = false
		case "octet-count":
			rs.OctetCount = true
		default:
			s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : [%s:%d] : 'server %s/%s' : 'log-proto' expects one of 'legacy' or 'octet-count' but got '%s'.",
				p.File, p.Line, r.Name, rs.Name, v))
			s.fileFatal = true
			return
		}
	}
	r.Servers = append(r.Servers, rs)
}

// ringEnd closes a ring section: HAProxy caps maxlen at the size.
func (s *state) ringEnd() {
	r := s.curRing
	if r == nil {
		return
	}
	s.curRing = nil
	if r.dead {
		return
	}
	if r.MaxLen > r.Size {
		s.d.Raw(Warning, "", 0, fmt.Sprintf("config : ring '%s' event max length '%d' exceeds size, forced to size '%d'.", r.Name, r.MaxLen, r.Size))
		r.MaxLen = r.Size
	}
	s.cfg.Rings = append(s.cfg.Rings, r)
}

// ringTimeoutWarnings is HAProxy's missing timeouts warning for the
// rings that forward to servers (their proxy is a backend).
func (s *state) ringTimeoutWarnings() {
	for _, r := range s.cfg.Rings {
		if len(r.Servers) > 0 && (r.TimeoutConnect == 0 || r.TimeoutServer == 0) {
			x := s.d.Raw(Warning, "", 0, fmt.Sprintf("config : missing timeouts for backend '%s'.", r.Name))
			x.Extra = []string{
				"   | While not properly invalid, you will certainly encounter various problems",
				"   | with such a configuration. To fix this, please ensure that all following",
				"   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
			}
		}
	}
}

// RingByName is the ring section called name, or nil.
func (c *Config) RingByName(name string) *Ring {
	for _, r := range c.Rings {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// atol reads a leading decimal number as C's atol does (0 without one).
func atol(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n, _ := strconv.Atoi(s[i:j])
	return n
}
