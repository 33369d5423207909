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
}

func (e *Error) Error() string { return "http1: " + e.Msg }

func bad(msg string) error { return &Error{Status: 400, Msg: msg} }
