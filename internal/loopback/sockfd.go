package loopback

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// WithSocket finds a TCP socket of one of the test's processes by its
// addresses and calls read with a descriptor of it, for getsockopt:
// listening on local (peer "") or established local -> peer. ss -p names
// the owner and its fd; another process's (a reference daemon the test
// started) is copied with pidfd_getfd. prefix runs ss elsewhere (nil, or
// "ip netns exec NAME" for a namespace). ok is false when ss lists no
// such socket now. The caller checks ss is installed.
func WithSocket(t testing.TB, prefix []string, local, peer string, read func(fd int)) (ok bool) {
	t.Helper()
	args := append(append([]string{}, prefix...), "ss", "-tnpH", "state", "established")
	if peer == "" {
		args = append(append([]string{}, prefix...), "ss", "-tlnpH")
	}
	out, err := exec.Command(args[0], args[1:]...).Output()
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if peer == "" { // LISTEN Recv-Q Send-Q Local Peer users
			if len(f) < 6 || noDevice(f[3]) != local {
				continue
			}
			f = f[1:] // as the established listing: Recv-Q Send-Q Local Peer users
		}
		if len(f) < 5 || noDevice(f[2]) != local || peer != "" && f[3] != peer {
			continue
		}
		owner, fd := ssOwner(f[4])
		if owner == 0 {
			continue
		}
		fd, done := ownFD(t, owner, fd)
		defer done()
		read(fd)
		return true
	}
	return false
}

// ownFD is a descriptor of process owner's fd in this process: fd itself
// when owner is this process, else a copy made with pidfd_getfd (a
// reference daemon the test started), closed by done.
func ownFD(t testing.TB, owner, fd int) (own int, done func()) {
	t.Helper()
	if owner == os.Getpid() {
		return fd, func() {}
	}
	pidfd, err := unix.PidfdOpen(owner, 0)
	if err != nil {
		t.Fatalf("pidfd_open %d: %v", owner, err)
	}
	defer unix.Close(pidfd)
	if own, err = unix.PidfdGetfd(pidfd, fd, 0); err != nil {
		t.Fatalf("pidfd_getfd %d: %v", owner, err)
	}
	return own, func() { unix.Close(own) }
}

// noDevice drops the device ss shows on a socket bound to one
// (SO_BINDTODEVICE): "127.0.0.1%lo:80" is "127.0.0.1:80". ss's "*:80" (a
// dual-stack IPv6 wildcard) is "[::]:80".
func noDevice(addr string) string {
	if p, ok := strings.CutPrefix(addr, "*:"); ok {
		return "[::]:" + p
	}
	i, j := strings.LastIndexByte(addr, '%'), strings.LastIndexByte(addr, ':')
	if i < 0 || j < i {
		return addr
	}
	if strings.HasPrefix(addr, "[") && strings.HasSuffix(addr[:j], "]") {
		return addr[:i] + "]" + addr[j:]
	}
	return addr[:i] + addr[j:]
}
