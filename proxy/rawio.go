package proxy

import (
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// rawIO reads and writes a non-blocking socket with raw system calls, still
// waiting through the runtime's netpoller (syscall.RawConn) when the socket
// has nothing to give or no room to take.
//
// Why: net.Conn's Read/Write go through syscall.Syscall, whose runtime
// bookkeeping (entersyscall/exitsyscall) lets sysmon hand the P to another
// thread when a call lasts more than its 20 µs tick — which a loopback write
// often does on a busy machine, since it runs the peer's TCP receive path.
// Under load that kept sysmon waking every 20 µs and threads switching: in
// tcp mode about 8% of gohaproxy's CPU was sysmon's nanosleep context
// switches. These calls cannot block (the socket is non-blocking), so the
// bookkeeping buys nothing here.
//
// One reader and one writer may use a rawIO at the same time; the callback
// state of each side is kept here so no closure is allocated per call.
type rawIO struct {
	raw syscall.RawConn

	rbuf  []byte
	rn    int
	rerrn syscall.Errno
	rfn   func(uintptr) bool

	wbuf  []byte
	wn    int
	werrn syscall.Errno
	wfn   func(uintptr) bool

	// A request written inside a read (write_await.go).
	qbuf  []byte
	qn    int
	qerrn syscall.Errno
	qsent bool
	afn   func(uintptr) bool
	// rpool gives the answer's buffer (rbp, rlim bytes of it) once the
	// poller reports it, when the request went without one
	// (server_buf.go).
	rpool *Proxy
	rbp   *[]byte
	rlim  int

	// eof is set once a read returned the peer's end (nolinger.go; read
	// by a close that may come from another goroutine).
	eof atomic.Bool
}

// recvRaw and sendRaw are read(2) and write(2) on a connected TCP socket
// as recvfrom(2) and sendto(2), without an address, as HAProxy makes
// them: the same bytes and errors, without the VFS layer that read and
// write go through for a socket (vfs_read and vfs_write were 6% of
// gohaproxy's kernel samples under h2load). MSG_NOSIGNAL: a write to a
// reset connection fails with EPIPE without raising SIGPIPE, which the
// runtime ignored for these descriptors anyway.
// rawCalls counts recvRaw and sendRaw calls when countRawCalls is set
// (only tests set it: /proc/self/io counts read and write calls, not
// these).
var (
	rawCalls      atomic.Int64
	countRawCalls bool
)

func recvRaw(fd uintptr, p []byte) (int, syscall.Errno) {
	if countRawCalls {
		rawCalls.Add(1)
	}
	n, _, e := syscall.RawSyscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), 0, 0, 0)
	return int(n), e
}

func sendRaw(fd uintptr, p []byte) (int, syscall.Errno) {
	if countRawCalls {
		rawCalls.Add(1)
	}
	n, _, e := syscall.RawSyscall6(syscall.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), syscall.MSG_NOSIGNAL, 0, 0)
	return int(n), e
}

func (r *rawIO) init(c *net.TCPConn) {
	r.raw, _ = c.SyscallConn() // fails only on a closed conn: read/write then fall back
	r.rfn = r.doRead
	r.wfn = r.doWrite
	r.afn = r.doWriteAwait
}

// initRW is init without the write inside a read (write_await.go),
// which a TLS socket does not use.
func (r *rawIO) initRW(c *net.TCPConn) {
	r.raw, _ = c.SyscallConn()
	r.rfn = r.doRead
	r.wfn = r.doWrite
}

func (r *rawIO) doRead(fd uintptr) bool {
	for {
		n, e := recvRaw(fd, r.rbuf)
		switch e {
		case 0:
			r.rn = int(n)
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false // wait for the poller, then try again
		}
		r.rerrn = e
		return true
	}
}

func (r *rawIO) doWrite(fd uintptr) bool {
	for r.wn < len(r.wbuf) {
		n, e := sendRaw(fd, r.wbuf[r.wn:])
		switch e {
		case 0:
			r.wn += int(n)
			continue
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		r.werrn = e
		return true
	}
	return true
}

// read is net.Conn.Read's contract: n > 0, or an error (io.EOF at the end).
func (r *rawIO) read(c *net.TCPConn, p []byte) (int, error) {
	if r.raw == nil || len(p) == 0 {
		n, err := c.Read(p)
		if err == io.EOF {
			r.eof.Store(true)
		}
		return n, err
	}
	r.rbuf, r.rn, r.rerrn = p, 0, 0
	err := r.raw.Read(r.rfn)
	n, errn := r.rn, r.rerrn
	r.rbuf = nil
	switch {
	case err != nil:
		return 0, err // deadline, closed connection
	case errn != 0:
		return 0, &net.OpError{Op: "read", Net: "tcp", Err: errn}
	case n == 0:
		r.eof.Store(true)
		return 0, io.EOF
	}
	return n, nil
}

// write is net.Conn.Write's contract: all of p, or an error with the count
// written before it.
func (r *rawIO) write(c *net.TCPConn, p []byte) (int, error) {
	if r.raw == nil || len(p) == 0 {
		return c.Write(p)
	}
	r.wbuf, r.wn, r.werrn = p, 0, 0
	err := r.raw.Write(r.wfn)
	n, errn := r.wn, r.werrn
	r.wbuf = nil
	if err == nil && errn != 0 {
		err = &net.OpError{Op: "write", Net: "tcp", Err: errn}
	}
	return n, err
}
