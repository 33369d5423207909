package logfmt

import "net/netip"

// AppendConnect appends the line HAProxy 2.6 logs when a tcp-mode
// frontend with a log target but neither `option tcplog` nor a
// log-format accepts a connection: "Connect from 127.0.0.1:58488 to
// 127.0.0.1:18084 (lt/TCP)". (An http-mode frontend without httplog logs
// nothing at all.) frontendAddr is the local address of the accepted
// connection.
func AppendConnect(dst []byte, client, frontendAddr netip.AddrPort, frontend string) []byte {
	dst = append(dst, "Connect from "...)
	dst = client.AppendTo(dst)
	dst = append(dst, " to "...)
	dst = frontendAddr.AppendTo(dst)
	dst = append(dst, " ("...)
	dst = append(dst, frontend...)
	return append(dst, "/TCP)"...)
}
