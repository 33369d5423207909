package runtimeapi

import (
	"fmt"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"
)

// Stream is one client session as `show sess` lists it.
type Stream struct {
	ID       uint64 // printed as HAProxy's stream pointer, 0x...
	Src      netip.AddrPort
	Frontend string
	Backend  string // "" = none chosen yet (HAProxy shows the frontend)
	Server   string // "" = none
	Age      time.Duration
	// The detail of `show sess all|<id>` (sess_detail.go).
	Born       time.Time
	HTTP       bool
	Local      netip.AddrPort // the address the client reached
	ServerAddr string         // "host:port" of the server, "" = none
	SrvLocal   netip.AddrPort // local end of the server connection
}

// StreamSource is a Source that lists its sessions and closes one by id
// (`show sess`, `shutdown session`).
type StreamSource interface {
	Streams() []Stream
	// ShutdownStream closes the session; false when no session has id.
	ShutdownStream(id uint64) bool
}

// cliStreamIDs numbers the CLI sessions' own streams, which HAProxy lists
// as fe=GLOBAL; they live apart from the proxy's ids.
var cliStreamIDs atomic.Uint64

const cliStreamIDBase = 0x7f4d00000000

func (s *Session) streamID() uint64 {
	if s.selfID == 0 {
		s.started = time.Now()
		s.selfID = cliStreamIDBase + cliStreamIDs.Add(1)*0x400
	}
	return s.selfID
}

// cmdShowSess is `show sess [all|<id>]`. The list is HAProxy 2.6's one
// line per stream; fields goha has no counterpart for (task and buffer
// flags, call counts, timers) print as an idle stream's. The detailed
// dump (`all`, or an id) has HAProxy's lines (sess_detail.go); an id
// that names no session answers as HAProxy.
func cmdShowSess(s *Session, args []string) string {
	src, ok := s.src.(StreamSource)
	if !ok {
		return errNotSupported
	}
	arg := argAt(args, 2)
	if arg == "all" || strtoul(arg) == ^uint64(0) { // HAProxy's "all" is the pointer -1
		proxies := s.src.Stats()
		var b strings.Builder
		for _, st := range src.Streams() {
			b.WriteString(s.sessDetail(st, proxies))
		}
		b.WriteString(s.cliDetail())
		return b.String()
	}
	if target := strtoul(arg); arg != "" && target != 0 {
		for _, st := range src.Streams() {
			if st.ID == target {
				return s.sessDetail(st, s.src.Stats())
			}
		}
		if target == s.streamID() {
			return s.cliDetail()
		}
		return "Session not found.\n"
	}
	var b strings.Builder
	for _, st := range src.Streams() {
		proto, addr := "tcpv4", st.Src.String()
		if st.Src.Addr().Is6() {
			proto = "tcpv6"
		}
		be, srv := st.Backend, st.Server
		if be == "" {
			be = st.Frontend
		}
		if srv == "" {
			srv = "<none>"
		}
		fmt.Fprintf(&b, "0x%x: proto=%s src=%s fe=%s be=%s srv=%s ts=00 epoch=0 age=%s calls=1 rate=0 cpu=0 lat=0 "+
			"rq[f=848000h,i=0,an=00h,rx=,wx=,ax=] rp[f=8004a020h,i=0,an=00h,rx=,wx=,ax=] scf=[8,0h,fd=-1] scb=[8,1h,fd=-1] exp= rc=0 c_exp=\n",
			st.ID, proto, addr, st.Frontend, be, srv, humanTime(st.Age))
	}
	// The CLI session asking is a stream too.
	fmt.Fprintf(&b, "0x%x: proto=unix_stream src=unix:1 fe=GLOBAL be=<NONE> srv=<none> ts=00 epoch=0 age=0s calls=1 rate=0 cpu=0 lat=0 "+
		"rq[f=c08000h,i=0,an=00h,rx=,wx=,ax=] rp[f=80008002h,i=0,an=00h,rx=,wx=,ax=] scf=[8,200h,fd=-1] scb=[8,1h,fd=-1] exp= rc=0 c_exp=\n",
		s.streamID())
	return b.String()
}

// cmdShutdownSession is `shutdown session <id>`.
func cmdShutdownSession(s *Session, args []string) string {
	src, ok := s.src.(StreamSource)
	if !ok {
		return errNotSupported
	}
	id := strtoul(argAt(args, 2))
	if id == 0 {
		return "Session pointer expected (use 'show sess').\n"
	}
	if id == s.streamID() {
		s.quit = true // HAProxy kills the CLI stream itself: the connection ends
		return ""
	}
	if !src.ShutdownStream(id) {
		return "No such session (use 'show sess').\n"
	}
	return ""
}

// born is when the CLI session's stream began.
func (s *Session) born() time.Time {
	s.streamID()
	return s.started
}

// humanTime prints a duration as HAProxy's human_time: at most two
// units among d, h, m and s, "0s" for nothing.
func humanTime(d time.Duration) string {
	t := int64(d / time.Second)
	if t < 0 {
		return "?"
	}
	var b strings.Builder
	cnt := 2
	if t >= 86400 {
		fmt.Fprintf(&b, "%dd", t/86400)
		cnt--
	}
	if cnt > 0 && t%86400/3600 != 0 {
		fmt.Fprintf(&b, "%dh", t%86400/3600)
		cnt--
	}
	if cnt > 0 && t%3600/60 != 0 {
		fmt.Fprintf(&b, "%dm", t%3600/60)
		cnt--
	}
	if (cnt > 0 && t%60 != 0) || t == 0 {
		fmt.Fprintf(&b, "%ds", t%60)
	}
	return b.String()
}

// strtoul reads a number as C's strtoul(s, NULL, 0): leading spaces, a
// sign, then hexadecimal after "0x", octal after "0", else decimal, up to
// the first character that is not a digit of the base; 0 when none.
func strtoul(s string) uint64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := uint64(10)
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && hexDigit(s[2]) >= 0:
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d := hexDigit(s[i])
		if d < 0 || uint64(d) >= base {
			break
		}
		if n > (^uint64(0)-uint64(d))/base {
			return ^uint64(0) // ERANGE: ULONG_MAX
		}
		n = n*base + uint64(d)
	}
	if neg {
		return -n
	}
	return n
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
