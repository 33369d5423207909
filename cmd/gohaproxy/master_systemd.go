package main

import (
	"net"
	"os"
	"strings"

	"github.com/goha-lb/goha/proxy/listen"
)

// Systemd socket activation is read before anything else (init runs before
// main): the configuration's `${LISTEN_FD_<NAME>}` must expand when it is
// parsed (`bind "fd@${LISTEN_FD_WEB}"`), and a worker started later must not take LISTEN_PID, which names
// this process, for its own. The descriptors themselves stay where systemd
// put them (3, 4, ...), so `bind fd@3` works as written.
func init() {
	a, ok := listen.SystemdActivation(os.Getenv, os.Getpid())
	if !ok {
		return
	}
	for _, kv := range a.Env() {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	for _, k := range []string{"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"} {
		os.Unsetenv(k)
	}
}

// sdNotify sends one sd_notify(3) datagram to $NOTIFY_SOCKET (a path, or
// an abstract name written with a leading '@'). Without the variable it
// does nothing, as sd_notify.
func sdNotify(state string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return nil
	}
	if strings.HasPrefix(path, "@") {
		path = "\x00" + path[1:]
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte(state))
	return err
}
