package runtimeapi

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// ErrorSnapshot is a message a proxy refused, as `show errors` dumps it
// (HAProxy's error snapshot with its H1 context).
type ErrorSnapshot struct {
	When  time.Time
	Event uint32
	Src   netip.AddrPort
	// Other names the other end's proxy section ("" none): the backend
	// of a request, the frontend of a response.
	Other    string
	Server   string // "" none
	ServerID int
	Buf      []byte
	Pos      int
	// StateName and State are the H1 parser's state (MSG_HDR_NAME, 17).
	StateName                        string
	State                            int
	ConnFlags, StreamFlags, MsgFlags uint32
	ChunkLen, BodyLen                int64 // the parser's current and whole body lengths
	BufHead                          int   // where the message starts in the input buffer
	BufSize                          int   // tune.bufsize (0: 16384)
}

// ProxyErrorSnapshots are a proxy section's last refused request and
// response (nil: none).
type ProxyErrorSnapshots struct {
	Request, Response *ErrorSnapshot
}

// ErrorSource is a Source that keeps the messages its proxies refused:
// the captures by section name, and how many were made since the start.
type ErrorSource interface {
	ErrorSnapshots() (map[string]ProxyErrorSnapshots, uint32)
}

// bufSize is tune.bufsize's default, what HAProxy sizes a snapshot's
// buffer by (ErrorSnapshot.BufSize when set);
// its input starts after the room HTX keeps for its own header, so it
// wraps that much earlier (16336 measured).
const (
	bufSize      = 16384
	bufWrapShift = 48
)

func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"show", "errors"}, usage: "show errors [<px>] [request|response]", desc: "report last request and/or response errors for each proxy", level: LevelOperator, run: cmdShowErrors},
	}, commands[len(commands)-3:]...)...)
}

// cmdShowErrors is `show errors [<px>] [request|response]`: a proxy is
// named, "#<id>", or numbered (C atoi: -1 is every proxy), and a proxy's filter keeps the messages
// whose other end it is too.
func cmdShowErrors(s *Session, args []string) string {
	proxies := s.src.Stats()
	iid := -1
	if name := argAt(args, 2); name != "" {
		iid = atoi(name)
		for i := range proxies {
			proxies[i].defaultID(i)
			id := proxies[i].id()
			if proxies[i].Name == name || name[0] == '#' && atoi(name[1:]) == id {
				iid = id
			}
		}
		if iid == 0 {
			return "No such proxy.\n"
		}
	}
	var snaps map[string]ProxyErrorSnapshots
	var events uint32
	if src, ok := s.src.(ErrorSource); ok {
		snaps, events = src.ErrorSnapshots()
	}
	return FormatErrors(proxies, snaps, events, iid, argAt(args, 3), time.Now())
}

// FormatErrors renders `show errors` as HAProxy 2.6 does: the count of
// captures, then each proxy's (configuration order) last request and
// response with their context and a dump of the buffer. iid < 0 keeps
// every proxy; dir "request" or "response" keeps one direction.
func FormatErrors(proxies []Proxy, snaps map[string]ProxyErrorSnapshots, events uint32, iid int, dir string, now time.Time) string {
	ids := map[string]int{}
	for i := range proxies {
		proxies[i].defaultID(i)
		ids[proxies[i].Name] = proxies[i].id()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Total events captured on [%s] : %d\n", errDate(now), events)
	for i := range proxies {
		px := &proxies[i]
		ps := snaps[px.Name]
		if dir != "response" && ps.Request != nil {
			writeSnapshot(&b, px, ps.Request, false, ids, iid)
		}
		if dir != "request" && ps.Response != nil {
			writeSnapshot(&b, px, ps.Response, true, ids, iid)
		}
	}
	return b.String()
}

func errDate(t time.Time) string { return t.Local().Format("02/Jan/2006:15:04:05.000") }

func writeSnapshot(b *strings.Builder, px *Proxy, es *ErrorSnapshot, resp bool, ids map[string]int, iid int) {
	otherID, known := ids[es.Other]
	if iid >= 0 && px.id() != iid && (!known || otherID != iid) {
		return
	}
	other := es.Other
	if !known {
		other, otherID = "<NONE>", -1
	}
	if resp {
		fmt.Fprintf(b, " \n[%s] backend %s (#%d): invalid response\n  frontend %s (#%d)", errDate(es.When), px.Name, px.id(), other, otherID)
	} else {
		fmt.Fprintf(b, " \n[%s] frontend %s (#%d): invalid request\n  backend %s (#%d)", errDate(es.When), px.Name, px.id(), other, otherID)
	}
	srv, sid := es.Server, es.ServerID
	if srv == "" {
		srv, sid = "<NONE>", -1
	}
	host, port := "", 0
	if es.Src.IsValid() {
		host, port = es.Src.Addr().Unmap().String(), int(es.Src.Port())
	}
	size := bufSize
	if es.BufSize > 0 {
		size = es.BufSize
	}
	n := min(len(es.Buf), size)
	fmt.Fprintf(b, ", server %s (#%d), event #%d, src %s:%d\n", srv, sid, es.Event, host, port)
	fmt.Fprintf(b, "  buffer starts at 0 (including 0 out), %d free,\n  len %d, wraps at %d, error at position %d\n",
		size-n, n, size-bufWrapShift-es.BufHead, es.Pos)
	fmt.Fprintf(b, "  H1 connection flags 0x%08x, H1 stream flags 0x%08x\n  H1 msg state %s(%d), H1 msg flags 0x%08x\n",
		es.ConnFlags, es.StreamFlags, es.StateName, es.State, es.MsgFlags)
	fmt.Fprintf(b, "  H1 chunk len %d bytes, H1 body len %d bytes :\n  \n", es.ChunkLen, es.BodyLen)
	for p, bol := 0, 0; p < n; {
		p, bol = dumpTextLine(b, es.Buf[:n], p, bol)
	}
}

// dumpTextLine writes one line of HAProxy's text dump of buf from p: the
// offset (marked '+' when it continues a line), then the bytes, escaped,
// up to a line feed or about 70 columns. It returns where the next line
// starts and where the current text line began.
func dumpTextLine(b *strings.Builder, buf []byte, p, bol int) (int, int) {
	cont := ' '
	if p != bol {
		cont = '+'
	}
	line := fmt.Sprintf("  %05d%c ", p, cont)
	const end = 80
	for p < len(buf) {
		c := buf[p]
		var esc string
		switch {
		case c >= 0x20 && c < 0x7f && c != '\\':
			esc = string(rune(c))
		case c == '\t':
			esc = `\t`
		case c == '\n':
			esc = `\n`
		case c == '\r':
			esc = `\r`
		case c == 0x1b:
			esc = `\e`
		case c == '\\':
			esc = `\\`
		default:
			esc = fmt.Sprintf(`\x%02X`, c)
		}
		if len(line) > end-1-len(esc) {
			break
		}
		line += esc
		p++
		if c == '\n' {
			bol = p
			break
		}
	}
	b.WriteString(line + "\n")
	return p, bol
}
