package listen

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// dupConn duplicates the descriptor behind a socket or file into a new
// *os.File made by os.NewFile. Why not net.TCPListener.File or
// os.File.Fd: a File made by the net package, or any File's Fd method,
// switches the shared open file description to blocking mode, which would
// turn the running listener's accept into a thread-blocking call that
// Close cannot interrupt. os.NewFile over a non-blocking descriptor keeps
// it non-blocking, and exec passes it to a child unchanged.
func dupConn(sc syscall.Conn, name string) (*os.File, error) {
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	nfd := -1
	var derr error
	if err := rc.Control(func(fd uintptr) {
		nfd, derr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 3)
	}); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, fmt.Errorf("dup %s: %w", name, derr)
	}
	return os.NewFile(uintptr(nfd), name), nil
}
