package haproxycmd

import (
	"os"
	"strings"

	"github.com/goha-lb/goha/internal/sdnotify"
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

// sdNotify sends one sd_notify(3) datagram to $NOTIFY_SOCKET, as HAProxy
// -Ws does whenever the variable is set.
func sdNotify(state string) error { return sdnotify.Notify(state) }
