package http1

import "errors"

// ErrIncomplete means the buffer does not yet hold a whole head (or chunk
// line); read more and parse again from the start.
var ErrIncomplete = errors.New("http1: incomplete message head")

// Error is a malformed message. Status is the response HAProxy 2.6 sends to
// a client for that request shape (400 for most, 422 for unsupported
// transfer codings); for responses the proxy answers 502 whatever Status is.
type Error struct {
	Status int
	Msg    string
	// Pos is the offset, in the buffer given to Parse, of the first byte
	// the parser refused, where HAProxy's H1 parser puts its error
	// position (`show errors`); -1 when the refusal has no such byte.
	Pos int
	// State is HAProxy's parser state at the refusal (StateAfterHead:
	// the state the message is in once its head was read, which
	// Describe resolves).
	State MsgState
	// Preface marks a request with the PRI method (the HTTP/2 preface's
	// shape), which HAProxy's HTTP analyzer refuses after parsing, not
	// its H1 parser.
	Preface bool
	at      []byte // the refused byte onwards, a sub-slice of the parsed buffer
}

func (e *Error) Error() string { return "http1: " + e.Msg }

func bad(msg string) error { return &Error{Status: 400, Msg: msg, Pos: -1} }

// badAt is a refusal of the byte at[0] (or of the end of the buffer when
// at is empty), made in parser state st. Errors are rare: only they pay
// for the position, which locate turns into an offset.
func badAt(msg string, at []byte, st MsgState) error {
	return &Error{Status: 400, Msg: msg, Pos: -1, State: st, at: at}
}

// locate turns the refused slice of an *Error into its offset in buf, of
// which it is a sub-slice: both end at the same capacity.
func locate(buf []byte, err error) {
	if e, ok := err.(*Error); ok && e.at != nil {
		e.Pos = cap(buf) - cap(e.at)
		e.at = nil
	}
}

// versionError refuses the version v in state st as HAProxy's parser
// does: at its first byte that is no version byte, or, when all of them
// are (HTTX/1.1, HTTP/11), at its start once the head is read.
func versionError(v []byte, st MsgState) error {
	for i, c := range v {
		if !isVersionByte[c] {
			return badAt("invalid HTTP version", v[i:], st)
		}
	}
	return badAt("invalid HTTP version", v, StateAfterHead)
}

// atHeadEnd places a refusal of the whole head (an unsupported
// transfer-coding) at its end, in the body state, as HAProxy reports it.
func atHeadEnd(err error, end []byte) error {
	if e, ok := err.(*Error); ok && e.at == nil {
		e.at, e.State = end, StateData
	}
	return err
}
