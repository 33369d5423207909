// Package sdnotify speaks systemd's notification protocol (sd_notify(3)):
// one datagram of "KEY=value" lines to the unix socket named by
// $NOTIFY_SOCKET. Both daemons use it under Type=notify units.
package sdnotify

import (
	"net"
	"os"
	"strconv"
	"strings"
)

// Notify sends state to $NOTIFY_SOCKET. Without the variable it does
// nothing, as sd_notify.
func Notify(state string) error { return NotifyTo(os.Getenv("NOTIFY_SOCKET"), state) }

// NotifyTo sends state to socket, a path or an abstract name written with
// a leading '@'. An empty socket is no-op.
func NotifyTo(socket, state string) error {
	if socket == "" {
		return nil
	}
	if strings.HasPrefix(socket, "@") {
		socket = "\x00" + socket[1:]
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: socket, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte(state))
	return err
}

// IsSystemd reports whether process pid is systemd, judged as keepalived
// 2.2.7 does before it notifies: pid 1 whose command name is "systemd".
// procRoot is normally "/proc".
func IsSystemd(procRoot string, pid int) bool {
	if pid != 1 {
		return false
	}
	comm, err := os.ReadFile(procRoot + "/" + strconv.Itoa(pid) + "/comm")
	return err == nil && string(comm) == "systemd\n"
}
