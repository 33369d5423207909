package runtimeapi

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// The detailed dump of `show sess all` and `show sess <id>`, in HAProxy
// 2.6's lines and field names. goha's own values fill what it has (the
// start date, a sequence number, addresses, proxies and server with their
// ids and modes, the age); the fields that describe HAProxy's internals
// (flags, buffers, file descriptors, pointers) print as an established
// idle stream's, the pointers derived from the stream's id.

// streamSeq is the stream's number (HAProxy's id=): goha's ids count up
// by a fixed step from a base.
func streamSeq(id, base uint64) uint64 { return (id-base)/0x400 + 1 }

// sessDate is HAProxy's accept date in a session dump.
func sessDate(t time.Time) string { return t.Local().Format("02/Jan/2006:15:04:05.000000") }

func (s *Session) sessDetail(st Stream, proxies []Proxy) string {
	var b strings.Builder
	proto := "tcpv4"
	if st.Src.Addr().Is6() {
		proto = "tcpv6"
	}
	mode := "tcp"
	if st.HTTP {
		mode = "http"
	}
	feID, beID, svID := -1, -1, -1
	for _, px := range proxies {
		if px.Name == st.Frontend && px.Frontend != nil {
			feID = px.ID
		}
		if px.Name == st.Backend && px.Backend != nil {
			beID = px.ID
			for _, sv := range px.Backend.Servers {
				if sv.Name == st.Server {
					svID = sv.ID
				}
			}
		}
	}
	p := st.ID
	fmt.Fprintf(&b, "0x%x: [%s] id=%d proto=%s source=%s\n", p, sessDate(st.Born), streamSeq(p, 0x55d000000000), proto, st.Src)
	srvConn := "(nil)"
	if st.Server != "" {
		srvConn = fmt.Sprintf("0x%x", p+0x3e0)
	}
	fmt.Fprintf(&b, "  flags=0x%x, conn_retries=0, conn_exp=<NEVER> conn_et=0x000 srv_conn=%s, pend_pos=(nil) waiting=0 epoch=0x1\n",
		map[bool]int{false: 0x4a, true: 0xc4a}[st.HTTP], srvConn)
	fmt.Fprintf(&b, "  frontend=%s (id=%d mode=%s), listener=? (id=1) addr=%s\n", st.Frontend, feID, mode, addrOrUnknown(st.Local))
	if st.Backend == "" {
		b.WriteString("  backend=<NONE> (id=-1 mode=-)\n  server=<NONE> (id=-1)\n")
	} else {
		fmt.Fprintf(&b, "  backend=%s (id=%d mode=%s) addr=%s\n", st.Backend, beID, mode, addrOrUnknown(st.SrvLocal))
		fmt.Fprintf(&b, "  server=%s (id=%d) addr=%s\n", st.Server, svID, st.ServerAddr)
	}
	fmt.Fprintf(&b, "  task=0x%x (state=0x00 nice=0 calls=1 rate=0 exp=<NEVER> tmask=0x1 age=%s)\n", p+0x100, humanTime(st.Age))
	mux := "PASS"
	if st.HTTP {
		mux = "H1"
		fmt.Fprintf(&b, "  txn=0x%x flags=0x3000 meth=1 status=-1 req.st=MSG_DONE rsp.st=MSG_RPBEFORE req.f=0x4c rsp.f=0x00\n", p+0x200)
	}
	for i, side := range []string{"scf", "scb"} {
		target := "LISTENER"
		if i == 1 {
			target = "SERVER"
		}
		fmt.Fprintf(&b, "  %s=0x%x flags=0x%08x state=EST endp=CONN,0x%x,0x028c0001 sub=1\n", side, p+0x500+uint64(i)*0x80, i, p+0x600+uint64(i)*0x80)
		fmt.Fprintf(&b, "      co%d=0x%x ctrl=%s xprt=RAW mux=%s data=STRM target=%s:0x%x\n", i, p+0x700+uint64(i)*0x80, proto, mux, target, p+0x800)
		fmt.Fprintf(&b, "      flags=0x00000300 fd=-1 fd.state=0 updt=0 fd.tmask=0x1\n")
	}
	sessBuffers(&b, p, st.HTTP)
	return b.String()
}

func addrOrUnknown(a netip.AddrPort) string {
	if !a.IsValid() {
		return "?"
	}
	return a.String()
}

// sessBuffers writes the req= and res= channels of a dump.
func sessBuffers(b *strings.Builder, p uint64, htx bool) {
	for i, ch := range []string{"req", "res"} {
		off := p + 0x20 + uint64(i)*0x60
		fmt.Fprintf(b, "  %s=0x%x (f=0x%x an=0x0 pipe=0 tofwd=-1 total=0)\n", ch, off, []int{0x848000, 0x80008000}[i])
		b.WriteString("      an_exp=<NEVER> rex=<NEVER> wex=<NEVER>\n")
		fmt.Fprintf(b, "      buf=0x%x data=(nil) o=0 p=0 i=0 size=0\n", off+8)
		if htx {
			b.WriteString("      htx=0x0 flags=0x0 size=0 data=0 used=0 wrap=NO extra=0\n")
		}
	}
}

// cliDetail is the dump of the CLI session asking: HAProxy's GLOBAL
// frontend with the CLI applet on its back side.
func (s *Session) cliDetail() string {
	var b strings.Builder
	p := s.streamID()
	fmt.Fprintf(&b, "0x%x: [%s] id=%d proto=unix_stream source=unix:1\n", p, sessDate(s.born()), streamSeq(p, cliStreamIDBase))
	b.WriteString("  flags=0x8, conn_retries=0, conn_exp=<NEVER> conn_et=0x000 srv_conn=(nil), pend_pos=(nil) waiting=0 epoch=0x1\n")
	b.WriteString("  frontend=GLOBAL (id=0 mode=tcp), listener=? (id=1) addr=unix:1\n")
	b.WriteString("  backend=<NONE> (id=-1 mode=-)\n  server=<NONE> (id=-1)\n")
	fmt.Fprintf(&b, "  task=0x%x (state=0x00 nice=-64 calls=1 rate=0 exp=<NEVER> tmask=0x1 age=%s)\n", p+0x100, humanTime(time.Since(s.born())))
	fmt.Fprintf(&b, "  scf=0x%x flags=0x00000200 state=EST endp=CONN,0x%x,0x028c0001 sub=1\n", p+0x500, p+0x600)
	fmt.Fprintf(&b, "      co0=0x%x ctrl=unix_stream xprt=RAW mux=PASS data=STRM target=LISTENER:0x%x\n", p+0x700, p+0x800)
	b.WriteString("      flags=0x00000300 fd=-1 fd.state=0 updt=0 fd.tmask=0x1\n")
	fmt.Fprintf(&b, "  scb=0x%x flags=0x00000001 state=EST endp=APPCTX,0x%x,0x02800002 sub=0\n", p+0x580, p+0x900)
	fmt.Fprintf(&b, "      app1=0x%x st0=9 st1=0 st2=0 applet=<CLI> tmask=0x1 nice=-64 calls=1 rate=0 cpu=0 lat=0\n", p+0x900)
	sessBuffers(&b, p, false)
	return b.String()
}
