package proxy

import (
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TCPKeepAlive is TCP keepalive on one side's sockets, HAProxy's `option
// clitcpka` (a frontend's client sockets) or `option srvtcpka` (a
// backend's server sockets, its health checks' too) with the probes'
// tuning, `clitcpka-cnt|idle|intvl` / `srvtcpka-cnt|idle|intvl`. A zero
// field keeps the system's value (net.ipv4.tcp_keepalive_probes, _time,
// _intvl). A nil *TCPKeepAlive is HAProxy's default: no SO_KEEPALIVE.
type TCPKeepAlive struct {
	Count          int
	Idle, Interval time.Duration
}

// Dialer is the keepalive part of a dialer for this side: Go turns
// SO_KEEPALIVE on (15 s probes) unless told otherwise; HAProxy leaves it
// off unless asked, and sets only the probe values it was given.
func (k *TCPKeepAlive) Dialer(d *net.Dialer) {
	if k == nil {
		d.KeepAlive, d.KeepAliveConfig = -1, net.KeepAliveConfig{}
		return
	}
	d.KeepAliveConfig = net.KeepAliveConfig{Enable: true, Idle: orUnchanged(k.Idle), Interval: orUnchanged(k.Interval), Count: k.Count}
	if k.Count == 0 {
		d.KeepAliveConfig.Count = -1
	}
}

// orUnchanged maps "not configured" to net.KeepAliveConfig's "leave the
// socket's (the system's) value".
func orUnchanged(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// setAccepted gives an accepted client socket its frontend's keepalive
// setting. The listeners goha opens accept without keepalive
// (ListenConfig.KeepAlive -1), but Go's accept on inherited ones (fd@,
// systemd's and the ones the master hands over: net.FileListener) turns
// SO_KEEPALIVE on with its own 15 s timers and no way to opt out, so off
// means clearing it, and on writes every value: the configured ones, the
// system's for the rest (what a socket nobody tuned reads).
func (k *TCPKeepAlive) setAccepted(c *net.TCPConn) {
	if k == nil {
		c.SetKeepAlive(false)
		return
	}
	sys := systemKeepAlive()
	cfg := net.KeepAliveConfig{Enable: true, Idle: k.Idle, Interval: k.Interval, Count: k.Count}
	if cfg.Idle == 0 {
		cfg.Idle = sys.Idle
	}
	if cfg.Interval == 0 {
		cfg.Interval = sys.Interval
	}
	if cfg.Count == 0 {
		cfg.Count = sys.Count
	}
	c.SetKeepAliveConfig(cfg)
}

// systemKeepAlive reads the kernel's keepalive defaults once (Linux's
// built-in values when /proc cannot say).
var systemKeepAlive = sync.OnceValue(func() TCPKeepAlive {
	read := func(name string, def int) int {
		b, err := os.ReadFile("/proc/sys/net/ipv4/" + name)
		if err != nil {
			return def
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || n <= 0 {
			return def
		}
		return n
	}
	return TCPKeepAlive{
		Idle:     time.Duration(read("tcp_keepalive_time", 7200)) * time.Second,
		Interval: time.Duration(read("tcp_keepalive_intvl", 75)) * time.Second,
		Count:    read("tcp_keepalive_probes", 9),
	}
})
