package check

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"strconv"
	"time"
)

// ExternalProbe is `option external-check`: the command runs with
// HAProxy 2.6's arguments (<proxy_address> <proxy_port> <server_address>
// <server_port>) in an environment of only HAProxy's variables and PATH,
// and its exit status is the verdict. A command still running when the
// check's time is over (Timeouts.Total: the interval, as HAProxy) is
// killed: PROCTOUT.
type ExternalProbe struct {
	Command string
	Path    string
	// ProxyAddr and ProxyPort are the proxy's first listener ("" for a
	// backend: the arguments then read NOT_USED).
	ProxyAddr, ProxyPort string
	// Env gives HAProxy's HAPROXY_* variables at the time of the check
	// (the server's current connections change); addr is where the check
	// goes.
	Env func(addr string) []string
}

func (p ExternalProbe) Probe(ctx context.Context, addr string, t Timeouts) Result {
	start := time.Now()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, "0"
	}
	pa, pp := p.ProxyAddr, p.ProxyPort
	if pa == "" {
		pa, pp = "NOT_USED", "NOT_USED"
	}
	cctx, cancel := context.WithTimeout(ctx, t.Total)
	defer cancel()
	cmd := exec.CommandContext(cctx, p.Command, pa, pp, host, port)
	cmd.Env = append(p.Env(addr), "PATH="+p.Path)
	err = cmd.Run()
	r := Result{Duration: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case cctx.Err() != nil:
		r.Status = PROCTOUT
	case err == nil:
		r.Status = PROCOK
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		r.Status, r.Code = PROCERR, exit.ExitCode()
	default:
		r.Status, r.Code = PROCERR, 127 // not started: what the forked child's exec failure returns
	}
	return r
}

// ExternalEnv is the HAPROXY_* environment of an external check, in
// HAProxy's names; curconn is read at each check.
func ExternalEnv(proxyName string, proxyID int, proxyAddr, proxyPort, server string, serverID, maxconn int,
	proto string, ssl bool, curconn func() int) func(addr string) []string {
	return func(addr string) []string {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			host, port = addr, "0"
		}
		s := "0"
		if ssl {
			s = "1"
		}
		return []string{
			"HAPROXY_PROXY_ADDR=" + proxyAddr, "HAPROXY_PROXY_ID=" + strconv.Itoa(proxyID),
			"HAPROXY_PROXY_NAME=" + proxyName, "HAPROXY_PROXY_PORT=" + proxyPort,
			"HAPROXY_SERVER_ADDR=" + host, "HAPROXY_SERVER_CURCONN=" + strconv.Itoa(curconn()),
			"HAPROXY_SERVER_ID=" + strconv.Itoa(serverID), "HAPROXY_SERVER_MAXCONN=" + strconv.Itoa(maxconn),
			"HAPROXY_SERVER_NAME=" + server, "HAPROXY_SERVER_PORT=" + port,
			"HAPROXY_SERVER_PROTO=" + proto, "HAPROXY_SERVER_SSL=" + s,
		}
	}
}
