package netio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// The kernel's process events connector (CN_IDX_PROC): fork, exec, comm
// change and exit of every process, as keepalived's track_process reads
// them. Only the initial network namespace has a connector: elsewhere
// subscribing fails with ECONNREFUSED (keepalived 2.2.7 then logs
// "Failed to set/clear process event listen - errno 111 - Connection
// refused" and never sees a process start or exit).

// ProcEventKind is what happened to a process.
type ProcEventKind uint8

const (
	ProcFork ProcEventKind = iota + 1
	ProcExec
	ProcComm
	ProcExit
)

// ProcEvent is one process (not thread) event.
type ProcEvent struct {
	Kind ProcEventKind
	PID  int
	// Parent is the forking process (ProcFork only).
	Parent int
	// Comm is the new name (ProcComm only).
	Comm string
}

// ErrProcEventsLost is returned by Read when the socket's buffer
// overflowed: events were dropped and the caller must rescan /proc.
var ErrProcEventsLost = errors.New("process events lost (socket buffer overflow)")

// Kernel constants of linux/connector.h and linux/cn_proc.h.
const (
	cnIdxProc       = 1
	cnValProc       = 1
	procCnMcastOn   = 1
	procEventFork   = 0x00000001
	procEventExec   = 0x00000002
	procEventComm   = 0x00000200
	procEventExit   = 0x80000000
	cnMsgLen        = 20 // idx, val, seq, ack (u32), len, flags (u16)
	procEventHdrLen = 16 // what, cpu (u32), timestamp_ns (u64)
)

// ProcEvents is a subscription to the process events connector.
type ProcEvents struct {
	f   *os.File
	buf []byte
}

// ListenProcEvents subscribes to process events in the calling thread's
// network namespace.
func ListenProcEvents() (*ProcEvents, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_CONNECTOR)
	if err != nil {
		return nil, &ProcEventsError{Op: "open process monitoring socket", Err: err}
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: cnIdxProc}); err != nil {
		unix.Close(fd)
		return nil, &ProcEventsError{Op: "bind to process monitoring socket", Err: err}
	}
	msg := make([]byte, unix.NLMSG_HDRLEN+cnMsgLen+4)
	ne := binary.NativeEndian
	ne.PutUint32(msg[0:], uint32(len(msg)))
	ne.PutUint16(msg[4:], unix.NLMSG_DONE)
	c := msg[unix.NLMSG_HDRLEN:]
	ne.PutUint32(c[0:], cnIdxProc)
	ne.PutUint32(c[4:], cnValProc)
	ne.PutUint16(c[16:], 4)
	ne.PutUint32(c[cnMsgLen:], procCnMcastOn)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, &ProcEventsError{Op: "set/clear process event listen", Err: err}
	}
	// A non-blocking descriptor goes to Go's poller: Close wakes a Read.
	return &ProcEvents{f: os.NewFile(uintptr(fd), "proc-connector"), buf: make([]byte, 64<<10)}, nil
}

// ProcEventsError is a failed subscription step; Text is keepalived's
// log line for it.
type ProcEventsError struct {
	Op  string
	Err error
}

func (e *ProcEventsError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *ProcEventsError) Unwrap() error { return e.Err }

// Text is keepalived 2.2.7's words: "Failed to OP - errno N - strerror".
func (e *ProcEventsError) Text() string {
	var n unix.Errno
	errors.As(e.Err, &n)
	msg := e.Err.Error()
	if len(msg) > 0 && 'a' <= msg[0] && msg[0] <= 'z' {
		msg = string(msg[0]-'a'+'A') + msg[1:]
	}
	return fmt.Sprintf("Failed to %s - errno %d - %s", e.Op, int(n), msg)
}

// Close ends the subscription; a blocked Read returns an error.
func (p *ProcEvents) Close() error { return p.f.Close() }

// Read waits for the next datagram and returns the process events in it
// (thread events are left out, as keepalived leaves them).
func (p *ProcEvents) Read() ([]ProcEvent, error) {
	rc, err := p.f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var n int
	var from unix.Sockaddr
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		n, from, rerr = unix.Recvfrom(int(fd), p.buf, 0)
		return rerr != unix.EAGAIN
	})
	if err != nil {
		return nil, err
	}
	if rerr == unix.ENOBUFS {
		return nil, ErrProcEventsLost
	}
	if rerr != nil {
		return nil, rerr
	}
	if sa, ok := from.(*unix.SockaddrNetlink); !ok || sa.Pid != 0 {
		return nil, nil // not from the kernel
	}
	return parseProcEvents(p.buf[:n]), nil
}

// parseProcEvents decodes the netlink messages of one datagram.
func parseProcEvents(b []byte) []ProcEvent {
	var out []ProcEvent
	ne := binary.NativeEndian
	for len(b) >= unix.NLMSG_HDRLEN {
		l := int(ne.Uint32(b[0:]))
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			break
		}
		typ := ne.Uint16(b[4:])
		if typ != unix.NLMSG_ERROR && typ != unix.NLMSG_NOOP {
			if e, ok := parseProcEvent(b[unix.NLMSG_HDRLEN:l]); ok {
				out = append(out, e)
			}
		}
		next := (l + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1)
		if next > len(b) {
			break
		}
		b = b[next:]
	}
	return out
}

func parseProcEvent(c []byte) (ProcEvent, bool) {
	ne := binary.NativeEndian
	if len(c) < cnMsgLen+procEventHdrLen+8 || ne.Uint32(c[0:]) != cnIdxProc || ne.Uint32(c[4:]) != cnValProc || ne.Uint32(c[12:]) != 0 {
		return ProcEvent{}, false
	}
	ev := c[cnMsgLen:]
	d := ev[procEventHdrLen:]
	u := func(i int) int {
		if len(d) < 4*(i+1) {
			return -1
		}
		return int(int32(ne.Uint32(d[4*i:])))
	}
	switch ne.Uint32(ev[0:]) {
	case procEventFork:
		// parent_pid, parent_tgid, child_pid, child_tgid: a thread has
		// child_pid != child_tgid.
		if u(2) != u(3) || u(3) < 0 {
			return ProcEvent{}, false
		}
		return ProcEvent{Kind: ProcFork, PID: u(3), Parent: u(1)}, true
	case procEventExec, procEventExit:
		// process_pid, process_tgid
		if u(0) != u(1) || u(1) < 0 {
			return ProcEvent{}, false
		}
		k := ProcExec
		if ne.Uint32(ev[0:]) == procEventExit {
			k = ProcExit
		}
		return ProcEvent{Kind: k, PID: u(1)}, true
	case procEventComm:
		if u(0) != u(1) || u(1) < 0 || len(d) < 8+16 {
			return ProcEvent{}, false
		}
		comm := d[8 : 8+16]
		for i, ch := range comm {
			if ch == 0 {
				comm = comm[:i]
				break
			}
		}
		return ProcEvent{Kind: ProcComm, PID: u(1), Comm: string(comm)}, true
	}
	return ProcEvent{}, false
}
