package check

import (
	"net"
	"strconv"
)

// CheckAddr is where a server's checks connect: the server's "host:port"
// with the `addr` host and `port` of its check settings applied (empty /
// zero keep the server's).
func CheckAddr(serverAddr, addr string, port int) string {
	host, p, err := net.SplitHostPort(serverAddr)
	if err != nil {
		host, p = serverAddr, ""
	}
	if addr != "" {
		host = addr
	}
	if port > 0 {
		p = strconv.Itoa(port)
	}
	return net.JoinHostPort(host, p)
}
