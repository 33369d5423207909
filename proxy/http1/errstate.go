package http1

import "bytes"

// MsgState is HAProxy 2.6's H1 message parser state (enum h1m_state),
// which `show errors` prints with a refused message.
type MsgState uint8

// The states goha reports; the numbers are HAProxy's.
const (
	StateNone      MsgState = 0
	StateRqMeth    MsgState = 2
	StateRqMethSP  MsgState = 3
	StateRqURI     MsgState = 4
	StateRqURISP   MsgState = 5
	StateRqVer     MsgState = 6
	StateRqLineEnd MsgState = 7
	StateRpVer     MsgState = 10
	StateRpCode    MsgState = 12
	StateHdrName   MsgState = 17
	StateHdrL1LF   MsgState = 20
	StateHdrVal    MsgState = 22
	StateHdrL2LF   MsgState = 23
	StateHdrL2LWS  MsgState = 24
	StateLastLF    MsgState = 25
	StateChunkSize MsgState = 26
	StateData      MsgState = 27
	StateChunkCRLF MsgState = 28
	StateTrailers  MsgState = 29
	StateDone      MsgState = 30
	// StateAfterHead marks a refusal HAProxy makes once the whole head
	// is parsed (a version that is not HTTP/x.y): Describe gives the
	// body state the message is then in.
	StateAfterHead MsgState = 255
	// StateAccepted marks a head that was accepted though it holds a
	// byte HAProxy records as an error (accept-invalid-http-request):
	// Describe gives the state the message is in once its head was
	// taken (MSG_DONE without a body).
	StateAccepted MsgState = 254
)

// Accepted is the record of a head accepted with an invalid byte at pos
// (Request.LaxErrPos), as HAProxy captures it for `show errors`.
func Accepted(pos int) *Error {
	return &Error{Status: 200, Msg: "accepted invalid byte", Pos: pos, State: StateAccepted}
}

var stateNames = [...]string{
	"MSG_RQBEFORE", "MSG_RQBEFORE_CR", "MSG_RQMETH", "MSG_RQMETH_SP", "MSG_RQURI", "MSG_RQURI_SP",
	"MSG_RQVER", "MSG_RQLINE_END", "MSG_RPBEFORE", "MSG_RPBEFORE_CR", "MSG_RPVER", "MSG_RPVER_SP",
	"MSG_RPCODE", "MSG_RPCODE_SP", "MSG_RPREASON", "MSG_RPLINE_END", "MSG_HDR_FIRST", "MSG_HDR_NAME",
	"MSG_HDR_COL", "MSG_HDR_L1_SP", "MSG_HDR_L1_LF", "MSG_HDR_L1_LWS", "MSG_HDR_VAL", "MSG_HDR_L2_LF",
	"MSG_HDR_L2_LWS", "MSG_LAST_LF", "MSG_CHUNK_SIZE", "MSG_DATA", "MSG_CHUNK_CRLF", "MSG_TRAILERS",
	"MSG_DONE", "MSG_TUNNEL",
}

// String is HAProxy's name of the state (h1m_state_str).
func (s MsgState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "MSG_??????"
}

// HAProxy's H1 message flags (H1_MF_*), as `show errors` prints them.
const (
	flagCLen       = 0x00000001
	flagChunked    = 0x00000002
	flagResp       = 0x00000004
	flagVer11      = 0x00000010
	flagConnClose  = 0x00000020
	flagConnKAL    = 0x00000040
	flagConnUpg    = 0x00000080
	flagXferLen    = 0x00000100
	flagXferEnc    = 0x00000200
	flagNoPHdr     = 0x00000400 // always set by HAProxy's H1 mux
	flagCleanConn  = 0x00001000 // idem
	flagUpgWS      = 0x00008000
	flagTEChunked  = 0x00010000
	flagTEOther    = 0x00020000
	flagsMuxParser = flagNoPHdr | flagCleanConn
)

// Describe gives the parser state and message flags HAProxy's H1 parser
// holds when it refuses the message in buf at e (e.Pos): the flags of the
// start line and of the header lines read before the refused byte. inBody
// says the head was accepted and the refusal is in the body (a chunk), at
// state e.State. It reads buf again, so it costs nothing until a message
// is refused. clen is the Content-Length HAProxy holds as the body's and
// current length once the head is read (0 otherwise).
func Describe(buf []byte, e *Error, isResp, inBody bool) (st MsgState, flags uint32, clen int64) {
	upto := e.Pos
	if upto < 0 || upto > len(buf) {
		upto = len(buf)
	}
	whole := inBody || e.State == StateAfterHead || e.State >= StateData
	flags = flagsMuxParser
	if isResp {
		flags |= flagResp
	}
	p := 0
	for p < len(buf) && !isResp && (buf[p] == '\r' || buf[p] == '\n') {
		p++
	}
	line, next, ok := nextLine(buf, p)
	if isResp && e.State >= StateRpCode && len(buf) >= 8 {
		// A status line's version comes first: read before its code.
		flags |= ver11(buf[:8])
	}
	if !ok || (!whole && next > upto) {
		return e.State, flags, 0 // refused in the start line
	}
	var ver []byte
	if isResp {
		ver, _, _ = bytes.Cut(line, []byte(" "))
	} else if i := bytes.LastIndexAny(line, " \t"); i >= 0 {
		ver = line[i+1:]
	}
	flags |= ver11(ver)
	sawCL := false
	for p = next; ; {
		line, next, ok = nextLine(buf, p)
		if !ok || len(line) == 0 || (!whole && next > upto) {
			break
		}
		name, val, _ := bytes.Cut(line, []byte(":"))
		val = trimOWS(val)
		switch {
		case EqualFold(name, "content-length"):
			sawCL = true
			clen, _ = parseDecimal(val)
			if flags&flagXferEnc == 0 {
				flags |= flagCLen
			}
		case EqualFold(name, "transfer-encoding"):
			flags = flags&^(flagCLen|flagChunked|flagTEChunked) | flagXferEnc
			forEachElement(val, func(tok []byte, last bool) {
				switch {
				case len(tok) == 0:
				case EqualFold(tok, "chunked"):
					flags |= flagChunked | flagTEChunked
				default:
					flags |= flagTEOther
				}
			})
		case EqualFold(name, "connection"):
			forEachToken(val, func(tok []byte) {
				switch {
				case EqualFold(tok, "close"):
					flags |= flagConnClose
				case EqualFold(tok, "keep-alive"):
					flags |= flagConnKAL
				case EqualFold(tok, "upgrade"):
					flags |= flagConnUpg
				}
			})
		case EqualFold(name, "upgrade") && EqualFold(val, "websocket"):
			flags |= flagUpgWS
		}
		p = next
	}
	if sawCL && flags&flagXferEnc != 0 || flags&(flagXferEnc|flagVer11) == flagXferEnc {
		// both framings, or a transfer-encoding before HTTP/1.1: the
		// connection closes after (measured with an HTTP/1.0 HEAD)
		flags |= flagConnClose
	}
	if !whole || flags&flagCLen == 0 {
		clen = 0
	}
	st = e.State
	if st == StateAccepted {
		inBody, st = true, StateDone
		switch {
		case flags&flagChunked != 0:
			st = StateChunkSize
		case clen > 0 || isResp && flags&flagCLen == 0 && !bodylessStatus(buf):
			st = StateData // a response without a length runs to the close
		}
	}
	if st == StateAfterHead {
		st = StateData
		if flags&flagChunked != 0 {
			st = StateChunkSize
		}
	}
	if inBody {
		flags |= flagXferLen
	}
	return st, flags, clen
}

// bodylessStatus reports a status line whose response has no body
// (1xx, 204, 304).
func bodylessStatus(buf []byte) bool {
	if len(buf) < 12 {
		return false
	}
	code := string(buf[9:12])
	return code[0] == '1' || code == "204" || code == "304"
}

// ver11 is VER_11 for a version HAProxy reads as 1.1 or later.
func ver11(v []byte) uint32 {
	if len(v) == 8 && (v[5] > '1' || v[5] == '1' && v[7] >= '1') {
		return flagVer11
	}
	return 0
}

// State is HAProxy's parser state for where the body is: what `show
// errors` prints for a body refused at this point.
func (d *Dechunker) State() MsgState {
	switch d.state {
	case csSize, csSizeTail, csExt, csSizeLF:
		return StateChunkSize
	case csData:
		return StateData
	case csDataCR, csDataLF:
		return StateChunkCRLF
	case csTrailer, csTrailers, csEndLF:
		return StateTrailers
	}
	return StateDone
}

// Unfinished is the refusal of a head that does not fit in the buffer:
// at the buffer's end, in the state the parser was in there (the start
// line, a header name, or a header value).
func Unfinished(buf []byte, isResp bool) *Error {
	e := &Error{Status: 400, Msg: "message head too large", Pos: len(buf)}
	last := bytes.LastIndexByte(buf, '\n')
	switch {
	case last < 0 && isResp:
		e.State = StateRpCode + 2 // MSG_RPREASON
	case last < 0:
		e.State = StateRqURI
	case bytes.IndexByte(buf[last+1:], ':') >= 0:
		e.State = StateHdrVal
	default:
		e.State = StateHdrName
	}
	return e
}
