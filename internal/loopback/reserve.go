package loopback

import (
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// reserveDir holds one empty file per port FreeAddr handed out, in the
// machine's temporary directory: every test process of every checkout
// on the machine shares it.
var reserveDir = filepath.Join(os.TempDir(), "goha-loopback-ports")

// reserve takes an advisory lock (flock) on addr's port for as long as t
// runs. The given map keeps one process from handing a port out twice;
// the lock keeps two processes (tests running at once in other packages
// or other checkouts) from both handing out the same port between its
// release and the daemon's bind, which failed as "address already in
// use" (or, both binding with SO_REUSEPORT, split the traffic). It
// reports false when another process holds the port; when the lock
// cannot be taken at all (no temporary directory), it reserves nothing
// and reports true, as FreeAddr did before.
func reserve(t testing.TB, addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return true
	}
	if err := os.MkdirAll(reserveDir, 0o777); err != nil {
		return true
	}
	f, err := os.OpenFile(filepath.Join(reserveDir, port), os.O_CREATE|os.O_RDONLY, 0o666)
	if err != nil {
		return true
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return false
	}
	t.Cleanup(func() { f.Close() })
	return true
}
