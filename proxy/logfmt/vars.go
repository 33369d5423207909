package logfmt

import (
	"bytes"
	"net/netip"
	"strconv"
	"time"
)

type varID uint8

const (
	vClientIP varID = iota
	vClientPort
	vDateAccept   // %t
	vDateRequest  // %tr
	vGMTAccept    // %T
	vLocalAccept  // %Tl
	vGMTRequest   // %trg
	vLocalRequest // %trl
	vTsAccept     // %Ts
	vMsAccept     // %ms
	vFrontendT    // %ft
	vFrontend     // %f
	vBackend      // %b
	vServer       // %s
	vTh
	vTi
	vTR
	vTq
	vTw
	vTc
	vTr
	vTd
	vTa
	vTt
	vTu
	vStatus
	vBytesOut // %B
	vBytesIn  // %U
	vTermState
	vTermCookie
	vActConn
	vFeConn
	vBeConn
	vSrvConn
	vRetries
	vSrvQueue
	vBeQueue
	vRequest  // %r
	vMethod   // %HM
	vPath     // %HP
	vPathOnly // %HPO
	vQuery    // %HQ
	vURI      // %HU
	vVersion  // %HV
	vHostname
	vPID
	vUniqueID
	vCookieReq
	vCookieRsp
	vFrontIP     // %fi
	vFrontPort   // %fp
	vReqCounter  // %rt
	vCaptReq     // %hr
	vCaptRsp     // %hs
	vCaptReqList // %hrl
	vCaptRspList // %hsl
	vGlobalOpts  // %o: not printed, sets the options of what follows
	vSSLVersion  // %sslv
	vSSLCipher   // %sslc
)

var varNames = map[string]varID{
	"ci": vClientIP, "cp": vClientPort,
	"t": vDateAccept, "tr": vDateRequest, "T": vGMTAccept, "Tl": vLocalAccept,
	"trg": vGMTRequest, "trl": vLocalRequest, "Ts": vTsAccept, "ms": vMsAccept,
	"ft": vFrontendT, "f": vFrontend, "b": vBackend, "s": vServer,
	"Th": vTh, "Ti": vTi, "TR": vTR, "Tq": vTq, "Tw": vTw, "Tc": vTc, "Tr": vTr,
	"Td": vTd, "Ta": vTa, "Tt": vTt, "Tu": vTu,
	"ST": vStatus, "B": vBytesOut, "U": vBytesIn, "ts": vTermState, "tsc": vTermCookie,
	"ac": vActConn, "fc": vFeConn, "bc": vBeConn, "sc": vSrvConn, "rc": vRetries,
	"sq": vSrvQueue, "bq": vBeQueue,
	"r": vRequest, "HM": vMethod, "HP": vPath, "HPO": vPathOnly, "HQ": vQuery, "HU": vURI, "HV": vVersion,
	"H": vHostname, "pid": vPID, "ID": vUniqueID, "CC": vCookieReq, "CS": vCookieRsp,
	"fi": vFrontIP, "fp": vFrontPort, "rt": vReqCounter, "hr": vCaptReq, "hrl": vCaptReqList, "hs": vCaptRsp, "hsl": vCaptRspList, "o": vGlobalOpts,
	"sslv": vSSLVersion, "sslc": vSSLCipher,
}

// Variables HAProxy 2.6 knows that an Entry cannot fill.
var unsupportedVars = map[string]bool{
	"bi": true, "bp": true, "si": true, "sp": true,
	"lc": true,
}

const dateLayoutMs = "02/Jan/2006:15:04:05.000" // %t, %tr
const dateLayoutTZ = "02/Jan/2006:15:04:05 -0700"

func appendVar(dst []byte, n *node, e *Entry, env *Env) []byte {
	loc := time.Local
	if env != nil && env.Location != nil {
		loc = env.Location
	}
	switch n.v {
	case vClientIP:
		return appendAddr(dst, n, e.Client)
	case vClientPort:
		if n.opts&optHex != 0 {
			return appendHex(dst, uint64(e.Client.Port()), 4)
		}
		return strconv.AppendUint(dst, uint64(e.Client.Port()), 10)
	case vDateAccept:
		return appendLogDate(dst, e.Accept.In(loc), true, false)
	case vDateRequest:
		return appendLogDate(dst, requestDate(e).In(loc), true, false)
	case vGMTAccept:
		return appendLogDate(dst, e.Accept.UTC(), false, true)
	case vLocalAccept:
		return appendLogDate(dst, e.Accept.In(loc), false, true)
	case vGMTRequest:
		return appendLogDate(dst, requestDate(e).UTC(), false, true)
	case vLocalRequest:
		return appendLogDate(dst, requestDate(e).In(loc), false, true)
	case vTsAccept:
		if n.opts&optHex != 0 {
			return appendHex(dst, uint64(e.Accept.Unix()), 8)
		}
		return strconv.AppendInt(dst, e.Accept.Unix(), 10)
	case vMsAccept:
		ms := e.Accept.Nanosecond() / 1e6
		if n.opts&optHex != 0 {
			return appendHex(dst, uint64(ms), 2)
		}
		return appendPad3(dst, ms)
	case vFrontendT, vFrontend:
		if e.SSLBind && n.v == vFrontendT { // HAProxy marks the SSL transport after the name
			return appendStr(dst, n, e.Frontend+"~")
		}
		return appendStr(dst, n, e.Frontend)
	case vBackend:
		if e.Backend == "" {
			return appendStr(dst, n, e.Frontend)
		}
		return appendStr(dst, n, e.Backend)
	case vServer:
		if e.Server == "" {
			return appendStr(dst, n, "<NOSRV>")
		}
		return appendStr(dst, n, e.Server)
	case vTh:
		return appendMs(dst, e.Handshake) // 0 but in a failed handshake's line
	case vTi:
		return appendMs(dst, e.Idle)
	case vTR:
		return appendMs(dst, e.TR)
	case vTq:
		return appendMs(dst, tq(e))
	case vTw:
		return appendMs(dst, e.Tw)
	case vTc:
		return appendMs(dst, e.Tc)
	case vTr:
		return appendMs(dst, e.Tr)
	case vTd:
		return appendMs(dst, td(e))
	case vTa:
		return appendMs(asap(dst, e), e.Ta)
	case vTt:
		return appendMs(asap(dst, e), tt(e))
	case vTu: // Tt without the idle time
		return appendMs(dst, tt(e)-nonNeg(e.Idle))
	case vStatus:
		if e.Status == 0 && !e.TCP && !e.Embryonic {
			return append(dst, "-1"...) // HAProxy's txn->status before a response
		}
		return strconv.AppendInt(dst, int64(e.Status), 10)
	case vBytesOut:
		return strconv.AppendInt(asap(dst, e), e.Bytes, 10)
	case vBytesIn:
		return strconv.AppendInt(dst, e.BytesIn, 10)
	case vTermState:
		return appendTerm(dst, e.Term)
	case vTermCookie:
		if e.Cookie[0] == 0 {
			return append(appendTerm(dst, e.Term), '-', '-') // no persistence cookie
		}
		return append(appendTerm(dst, e.Term), e.Cookie[0], e.Cookie[1])
	case vActConn:
		return strconv.AppendInt(dst, e.ActConn, 10)
	case vFeConn:
		return strconv.AppendInt(dst, e.FeConn, 10)
	case vBeConn:
		return strconv.AppendInt(dst, e.BeConn, 10)
	case vSrvConn:
		return strconv.AppendInt(dst, e.SrvConn, 10)
	case vRetries:
		if e.Redispatched {
			dst = append(dst, '+')
		}
		return strconv.AppendInt(dst, int64(e.Retries), 10)
	case vSrvQueue:
		return strconv.AppendInt(dst, e.SrvQueue, 10)
	case vBeQueue:
		return strconv.AppendInt(dst, e.BeQueue, 10)
	case vRequest:
		if e.Method == nil { // a line cut to nothing prints as ""
			return appendStr(dst, n, "<BADREQ>")
		}
		return appendRequest(dst, n, e)
	case vMethod:
		if e.Method == nil || uriRoom(e) <= 0 {
			return appendStr(dst, n, "<BADREQ>")
		}
		return appendEncoded(dst, n, e.Method)
	case vURI:
		if e.Method == nil || uriRoom(e) <= 0 {
			return appendStr(dst, n, "<BADREQ>")
		}
		return appendEncoded(dst, n, loggedTarget(e))
	case vPath:
		if e.Method == nil || uriRoom(e) <= 0 {
			return appendStr(dst, n, "<BADREQ>")
		}
		p := loggedTarget(e)
		if i := bytes.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		return appendEncoded(dst, n, p)
	case vPathOnly:
		if e.Method == nil || uriRoom(e) <= 0 {
			return appendStr(dst, n, "<BADREQ>")
		}
		return appendEncoded(dst, n, pathOnly(loggedTarget(e)))
	case vQuery:
		if e.Method == nil || uriRoom(e) <= 0 {
			return appendStr(dst, n, "<BADREQ>")
		}
		var q []byte
		if t := loggedTarget(e); bytes.IndexByte(t, '?') >= 0 {
			q = t[bytes.IndexByte(t, '?'):]
		}
		return appendEncoded(dst, n, q)
	case vVersion:
		if e.Method == nil || uriRoom(e) <= 0 {
			return appendStr(dst, n, "<BADREQ>")
		}
		if e.Version != nil {
			return appendEncoded(dst, n, e.Version)
		}
		return appendStr(dst, n, httpVersion(e.Minor))
	case vHostname:
		h := ""
		if env != nil {
			h = env.Hostname
		}
		return appendStr(dst, n, h)
	case vPID:
		pid := 0
		if env != nil {
			pid = env.PID
		}
		if n.opts&optHex != 0 {
			return appendHex(dst, uint64(pid), 4) // "%04X", measured
		}
		return strconv.AppendInt(dst, int64(pid), 10)
	case vUniqueID:
		return appendStr(dst, n, e.UniqueID)
	case vFrontIP:
		return appendAddr(dst, n, e.FrontAddr)
	case vFrontPort:
		if n.opts&optHex != 0 {
			return appendHex(dst, uint64(e.FrontAddr.Port()), 4)
		}
		return strconv.AppendUint(dst, uint64(e.FrontAddr.Port()), 10)
	case vReqCounter:
		if n.opts&optHex != 0 {
			return appendHex(dst, uint64(e.ReqCounter), 4)
		}
		return strconv.AppendInt(dst, e.ReqCounter, 10)
	case vCookieReq:
		return appendStr(dst, n, e.CookieReq)
	case vCookieRsp:
		return appendStr(dst, n, e.CookieRsp)
	case vCaptReq:
		return appendCaptures(dst, n, e.ReqCaptures)
	case vCaptRsp:
		return appendCaptures(dst, n, e.ResCaptures)
	case vCaptReqList:
		return appendCaptureList(dst, n, e.ReqCaptures, e.ReqCaptured)
	case vCaptRspList:
		return appendCaptureList(dst, n, e.ResCaptures, e.ResCaptured)
	case vSSLVersion:
		return appendStr(dst, n, e.SSLVersion)
	case vSSLCipher:
		return appendStr(dst, n, e.SSLCipher)
	}
	return dst
}

// requestDate is %tr's instant: the accept date for the first request of
// a connection, later the start of the keep-alive wait, plus idle time.
func requestDate(e *Entry) time.Time {
	t := e.Start
	if t.IsZero() {
		t = e.Accept
	}
	if e.Idle > 0 {
		t = t.Add(e.Idle)
	}
	return t
}

// tq is %Tq = Th + Ti + TR, -1 when the request never completed.
func tq(e *Entry) time.Duration {
	if e.TR < 0 {
		return -1
	}
	return nonNeg(e.Idle) + e.TR
}

// asap appends the '+' HAProxy prints before %Ta, %Tt and %B in every
// line of a frontend with option logasap.
func asap(dst []byte, e *Entry) []byte {
	if e.ASAP {
		return append(dst, '+')
	}
	return dst
}

// tt is %Tt, the whole duration: Ti + Ta in HTTP, Ta as kept for TCP.
func tt(e *Entry) time.Duration {
	if e.TCP {
		return e.Ta
	}
	return e.Handshake + nonNeg(e.Idle) + nonNeg(e.Ta)
}

// td is %Td, the data transfer time after the response headers: Tt -
// (Tq + Tw + Tc + Tr) in HTTP, -1 when the response never came. In TCP
// mode haproxy 2.6.12 printed Td equal to Tt (Tt=200 Tw=1 Tc=0 Td=200):
// its data phase starts at accept there.
func td(e *Entry) time.Duration {
	if e.TCP {
		return tt(e)
	}
	q := tq(e)
	if q < 0 || e.Tw < 0 || e.Tc < 0 || e.Tr < 0 {
		return -1
	}
	return tt(e) - q - e.Tw - e.Tc - e.Tr
}

func nonNeg(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

// appendMs prints a timer in whole milliseconds, -1 for "never reached".
func appendMs(dst []byte, d time.Duration) []byte {
	if d < 0 {
		return append(dst, "-1"...)
	}
	return strconv.AppendInt(dst, int64(d/time.Millisecond), 10)
}

func appendPad3(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

func appendTerm(dst []byte, t [2]byte) []byte {
	a, b := t[0], t[1]
	if a == 0 {
		a = '-'
	}
	if b == 0 {
		b = '-'
	}
	return append(dst, a, b)
}

func httpVersion(minor int) string {
	if minor == 0 {
		return "HTTP/1.0"
	}
	return "HTTP/1." + strconv.Itoa(minor)
}

const hexDigits = "0123456789ABCDEF"

func appendHex(dst []byte, v uint64, width int) []byte {
	var b [16]byte
	i := len(b)
	for v > 0 || len(b)-i < width {
		i--
		b[i] = hexDigits[v&15]
		v >>= 4
	}
	return append(dst, b[i:]...)
}

func appendHexAddr(dst []byte, a []byte) []byte {
	for _, c := range a {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// appendStr prints a string variable: "-" when empty unless quoted (then
// ""), with +Q quotes and +E escapes.
func appendStr(dst []byte, n *node, s string) []byte {
	q := n.opts&optQuote != 0
	if q {
		dst = append(dst, '"')
	}
	if s == "" && !q {
		dst = append(dst, '-')
	}
	for i := 0; i < len(s); i++ {
		dst = appendEscaped(dst, n, s[i])
	}
	if q {
		dst = append(dst, '"')
	}
	return dst
}

func appendEscaped(dst []byte, n *node, c byte) []byte {
	if n.opts&optEscape != 0 && (c == '"' || c == '\\' || c == ']') {
		return append(dst, '\\', c)
	}
	return append(dst, c)
}

// needsEncoding is HAProxy's set of bytes written as #XX in logged request
// parts: controls, DEL and above, '"' and '#'.
func needsEncoding(c byte) bool { return c < 0x20 || c >= 0x7f || c == '"' || c == '#' }

// appendEncoded prints a request part; empty prints nothing (quoted: "").
func appendEncoded(dst []byte, n *node, s []byte) []byte {
	q := n.opts&optQuote != 0
	if q {
		dst = append(dst, '"')
	}
	dst = appendEncodedRaw(dst, n, s)
	if q {
		dst = append(dst, '"')
	}
	return dst
}

func appendEncodedRaw(dst []byte, n *node, s []byte) []byte {
	for _, c := range s {
		if needsEncoding(c) {
			dst = append(dst, '#', hexDigits[c>>4], hexDigits[c&15])
			continue
		}
		dst = appendEscaped(dst, n, c)
	}
	return dst
}

// appendRequest prints %r, the request line as captured for the log.
func appendRequest(dst []byte, n *node, e *Entry) []byte {
	q := n.opts&optQuote != 0
	if q {
		dst = append(dst, '"')
	}
	room := uriRoom(e)
	version := e.Version
	if version == nil {
		version = []byte(httpVersion(e.Minor))
	}
	for i, part := range [][]byte{e.Method, e.Target, version} {
		if i > 0 && room > 0 {
			dst = append(dst, ' ')
			room--
		}
		if len(part) > room {
			part = part[:room]
		}
		dst = appendEncodedRaw(dst, n, part)
		room -= len(part)
	}
	if q {
		dst = append(dst, '"')
	}
	return dst
}

// loggedTarget is the target as the log capture holds it: cut where the
// request line reaches maxURILen-1 bytes.
func loggedTarget(e *Entry) []byte {
	room := uriRoom(e) - len(e.Method) - 1
	if room < 0 {
		room = 0
	}
	if len(e.Target) > room {
		return e.Target[:room]
	}
	return e.Target
}

// pathOnly is %HPO: the path without scheme, authority or query string.
func pathOnly(target []byte) []byte {
	p := target
	if i := bytes.Index(p, []byte("://")); i >= 0 && bytes.IndexByte(p[:i], '/') < 0 {
		p = p[i+3:]
		if j := bytes.IndexByte(p, '/'); j >= 0 {
			p = p[j:]
		} else {
			p = nil
		}
	}
	if i := bytes.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

// appendCaptures is %hr/%hs: "{v1|v2|...}" (nothing without a capture
// slot), each value with '"', '#', '{', '|', '}' and the bytes outside
// printable ASCII written "#XX", as HAProxy 2.6 logs them; +Q quotes the
// whole.
func appendCaptures(dst []byte, n *node, vals []string) []byte {
	if len(vals) == 0 {
		return dst
	}
	q := n.opts&optQuote != 0
	if q {
		dst = append(dst, '"')
	}
	dst = append(dst, '{')
	for i, v := range vals {
		if i > 0 {
			dst = append(dst, '|')
		}
		dst = appendCaptureValue(dst, v)
	}
	dst = append(dst, '}')
	if q {
		dst = append(dst, '"')
	}
	return dst
}

// appendCaptureList is %hrl/%hsl: the values separated by spaces, "-" for
// a slot that captured nothing (an empty capture prints nothing).
func appendCaptureList(dst []byte, n *node, vals []string, set uint64) []byte {
	for i, v := range vals {
		if i > 0 {
			dst = append(dst, ' ')
		}
		if i < 64 && set&(1<<i) == 0 {
			dst = append(dst, '-')
			continue
		}
		dst = appendCaptureValue(dst, v)
	}
	return dst
}

func appendCaptureValue(dst []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c < 0x20 || c >= 0x7f || c == '"' || c == '#' || c == '{' || c == '|' || c == '}':
			dst = append(dst, '#', hexDigits[c>>4], hexDigits[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendAddr prints an address variable (%ci, %fi): in hex with +X,
// quoted with +Q, "-" when unknown. An IPv4-mapped IPv6 address is
// printed as one, as HAProxy prints an AF_INET6 address (the proxy
// unmaps what it accepts; only set-src/set-dst can make one).
func appendAddr(dst []byte, n *node, ap netip.AddrPort) []byte {
	if !ap.IsValid() {
		return appendStr(dst, n, "")
	}
	if n.opts&optHex != 0 {
		return appendHexAddr(dst, ap.Addr().AsSlice())
	}
	q := n.opts&optQuote != 0
	if q {
		dst = append(dst, '"')
	}
	dst = ap.Addr().AppendTo(dst)
	if q {
		dst = append(dst, '"')
	}
	return dst
}
