// Package logfmt formats HAProxy 2.6 traffic log lines and sends them to
// syslog targets, byte for byte as haproxy does.
//
// # Formatting
//
// A Format is a compiled `log-format` string. HTTPLog and TCPLog are the
// formats behind `option httplog` and `option tcplog` (HAProxy defines them
// as log-format strings too). Compile a format once, then Append each
// transaction's line to a reused buffer (ExampleCompile).
//
// Entry has the same fields, in the same order, as proxy.LogEntry, so the
// integrator converts a *proxy.LogEntry with (*logfmt.Entry)(e) without a
// copy. Env carries what is constant for the process (pid, hostname, time
// zone).
//
// Spaces between items are separators: as in HAProxy, a separator is
// printed only when something was printed since the previous one, so
// `%hr %hs %{+Q}r` with no captured headers yields a single space.
//
// # Sending
//
// NewTarget takes a `log` line the parser typed (parser/haproxy's
// LogTarget: address kind, len, format, sample, facility, levels; the
// facility and level names are the parser's lists). A Logger sends
// a formatted message to its targets with the syslog header each target's
// format asks for (RFC3164 by default: `<150>Nov 25 09:04:44
// haproxy[25286]: ...`), over UDP, a unix datagram socket or a file
// descriptor, applying the target's level and minlevel.
//
// A `log ring@<name>` target (Target.SetRing) writes to a ring section's
// buffer (proxy/sink): the ring's format and maxlen apply, the line's len
// cuts the message.
//
// # Relaying
//
// A log-forward section (proxy/logfwd) reads each received message with
// ParseSyslog (priority, then an RFC 5424 or RFC 3164 header into Meta)
// and sends it with a Relay, whose targets build their header from the
// message's Meta (AppendMetaHeader): without a `format`, the format the
// message came in.
//
// # Behaviour measured on HAProxy 2.6.12 (Debian 12)
//
//   - httplog: `127.0.0.1:41502 [25/Nov/2026:09:04:44.465] main
//     servers/web2 0/0/1/3/4 200 120 - - ---- 2/2/1/1/0 0/0 "GET /
//     HTTP/1.1"`; a request that failed to parse logs `"<BADREQ>"` with
//     `main/<NOSRV>` and timers `-1/-1/-1/-1/0`.
//   - tcplog: `127.0.0.1:49648 [25/Nov/2026:09:04:44.473] tcpfe tcpbe/t1
//     1/0/200 117 -- 2/1/0/0/0 0/0`.
//   - Traffic logs are emitted at level info; a target's minlevel only
//     lowers the severity of more severe messages (level = max(level,
//     minlevel) numerically), its level drops less severe ones.
//   - The RFC3164 header has no hostname (haproxy only sends one with
//     log-send-hostname), a space-padded day, and the UDP datagram ends
//     with "\n". Written out, `format rfc3164` always has a host
//     ("localhost" without log-send-hostname) and `format local` never
//     has one (TestSyslogHostnameMatchHAProxy).
//   - log-format-sd fills the RFC 5424 structured-data field ("-"
//     without it); other formats print none.
package logfmt
