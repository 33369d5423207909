package listen

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// backlog is what net.Listen uses on Linux by default (somaxconn); a bound
// socket inherited without listen() gets it.
const backlog = unix.SOMAXCONN

// FDError is a startup error about an inherited descriptor, worded as
// HAProxy words it ("cannot use file descriptor '3' : Bad file
// descriptor.").
type FDError struct {
	FD  int
	Msg string
}

func (e *FDError) Error() string { return e.Msg }

// FromFD makes a listener of the inherited descriptor fd. The listener owns
// a duplicate; fd itself is closed once it has been wrapped, so a worker
// does not keep two references to the same socket.
func FromFD(fd int) (net.Listener, error) {
	if err := CheckFD(fd); err != nil {
		return nil, err
	}
	dom, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return nil, cannotUse(fd, err)
	}
	if dom != unix.AF_INET && dom != unix.AF_INET6 {
		// The data path proxies TCP; HAProxy would take a unix stream
		// socket here, gohaproxy does not yet.
		return nil, &FDError{fd, fmt.Sprintf("socket on file descriptor '%d' is not an inet/inet6 socket (not supported by gohaproxy yet).", fd)}
	}
	acc, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	if err != nil {
		return nil, cannotUse(fd, err)
	}
	if acc == 0 {
		// HAProxy listens on an inherited socket that is not listening yet
		// (bound or even unbound); a connected one fails here.
		if err := unix.Listen(fd, backlog); err != nil {
			return nil, &FDError{fd, fmt.Sprintf("cannot listen to socket on file descriptor '%d' : %s.", fd, strerror(err))}
		}
	}
	f := os.NewFile(uintptr(fd), "fd@"+strconv.Itoa(fd))
	ln, err := net.FileListener(f)
	f.Close()
	if err != nil {
		return nil, &FDError{fd, fmt.Sprintf("cannot use file descriptor '%d' : %v.", fd, err)}
	}
	return ln, nil
}

// CheckFD is the check HAProxy makes on `bind fd@N` while it parses the
// configuration (so `-c` reports it too): N must be an open socket of
// stream type. It changes nothing on the descriptor.
func CheckFD(fd int) error {
	if fd < 0 {
		return &FDError{fd, fmt.Sprintf("file descriptor '%d' is not a valid integer", fd)}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return cannotUse(fd, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		return cannotUse(fd, unix.ENOTSOCK)
	}
	typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	if err != nil {
		return cannotUse(fd, err)
	}
	if typ != unix.SOCK_STREAM {
		return &FDError{fd, fmt.Sprintf("socket on file descriptor '%d' is of the wrong type.", fd)}
	}
	return nil
}

func cannotUse(fd int, err error) error {
	return &FDError{fd, fmt.Sprintf("cannot use file descriptor '%d' : %s.", fd, strerror(err))}
}

// strerror gives the C library's wording ("Bad file descriptor"), which
// Go's Errno strings share except for the first letter's case.
func strerror(err error) string {
	var en unix.Errno
	if errors.As(err, &en) {
		s := en.Error()
		if s != "" && s[0] >= 'a' && s[0] <= 'z' {
			return string(s[0]-'a'+'A') + s[1:]
		}
		return s
	}
	return err.Error()
}
