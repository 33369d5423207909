package loopback

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// KeepAlive is what getsockopt says of one socket's TCP keepalive:
// SO_KEEPALIVE and the probe values the kernel would use (TCP_KEEPIDLE,
// TCP_KEEPINTVL and TCP_KEEPCNT read the system's defaults where none was
// set). A socket without SO_KEEPALIVE is the zero value: its probe values
// are never used.
type KeepAlive struct{ On, Idle, Intvl, Cnt int }

func (k KeepAlive) String() string {
	if k.On == 0 {
		return "off"
	}
	return fmt.Sprintf("on idle=%d intvl=%d cnt=%d", k.Idle, k.Intvl, k.Cnt)
}

// KeepAliveOf reads the keepalive options of an established TCP socket
// local -> peer ("" local: any) held by process pid (0: any), whichever
// of the test's processes holds it: ss -p names the owner and its fd, a
// child's (a reference daemon the test started) is copied with
// pidfd_getfd. ok is false when no such socket is established now. The
// caller checks ss is installed (testenv.LookPath).
func KeepAliveOf(t testing.TB, pid int, local, peer string) (ka KeepAlive, ok bool) {
	t.Helper()
	out, err := exec.Command("ss", "-tnpH", "state", "established").Output()
	if err != nil {
		t.Fatalf("ss: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || f[3] != peer || local != "" && f[2] != local {
			continue
		}
		owner, fd := ssOwner(f[4])
		if owner == 0 || pid != 0 && owner != pid {
			continue
		}
		fd, done := ownFD(t, owner, fd)
		defer done()
		get := func(level, opt int) int {
			v, err := unix.GetsockoptInt(fd, level, opt)
			if err != nil {
				t.Fatalf("getsockopt %s -> %s: %v", f[2], peer, err)
			}
			return v
		}
		if get(unix.SOL_SOCKET, unix.SO_KEEPALIVE) == 0 {
			return KeepAlive{}, true
		}
		return KeepAlive{1, get(unix.IPPROTO_TCP, unix.TCP_KEEPIDLE), get(unix.IPPROTO_TCP, unix.TCP_KEEPINTVL),
			get(unix.IPPROTO_TCP, unix.TCP_KEEPCNT)}, true
	}
	return KeepAlive{}, false
}

// ssOwner reads users:(("name",pid=P,fd=F)) (the first holder).
func ssOwner(s string) (pid, fd int) {
	for _, kv := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ')' || r == '(' }) {
		if v, ok := strings.CutPrefix(kv, "pid="); ok && pid == 0 {
			pid, _ = strconv.Atoi(v)
		}
		if v, ok := strings.CutPrefix(kv, "fd="); ok && fd == 0 {
			fd, _ = strconv.Atoi(v)
		}
	}
	return pid, fd
}
