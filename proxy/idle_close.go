package proxy

// option idle-close-on-response (HAProxy 2.6, measured on 2.6.12): on a
// soft stop, an HTTP/1 client connection waiting for its next request is
// not closed (HAProxy) nor cut at softStopGrace (goha's default): it
// waits as it would have, up to its keep-alive timeout, and its next
// request is served with "connection: close" (as every response after
// the stop is), then it closes. HTTP/2 connections get their GOAWAY as
// without the option.

// keepsIdleOnStop reports whether the session's idle wait survives a soft
// stop: option idle-close-on-response, or `close-spread-time infinite`
// (close_spread.go).
func (s *session) keepsIdleOnStop() bool {
	return (s.fe.cfg.IdleCloseOnResponse || s.p.cfg.CloseSpread.Infinite) && s.stream == nil && s.h2c.Load() == nil
}
