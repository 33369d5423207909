package listen

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// HAProxy's "_getsocks" transfer, as HAProxy 2.6 speaks it on a `stats
// socket ... expose-fd listeners`, so gohaproxy and HAProxy can take over
// each other's listening sockets with -x:
//
//  1. the old process sends the number of descriptors, a 32-bit integer
//     in host byte order;
//  2. then batches of at most 253 descriptors (SCM_RIGHTS), each carrying
//     per descriptor: a length byte and the network namespace name, a
//     length byte and the interface name, four zero bytes (listener
//     options before 2.3);
//  3. the receiver acknowledges every batch with four bytes; the sender
//     waits for that acknowledgement after each full batch.
//
// Nothing names the bind line: the receiver matches sockets to its binds
// by their local address (getsockname).

// xferBatch is HAProxy's MAX_SEND_FD.
const xferBatch = 253

// ServeGetSocks answers "_getsocks" on conn with the sockets of s.
func ServeGetSocks(conn *net.UnixConn, s *Set) error {
	keys := s.Keys()
	if err := binary.Write(conn, binary.NativeEndian, int32(len(keys))); err != nil {
		return err
	}
	var fds []int
	var data []byte
	flush := func(waitAck bool) error {
		if len(fds) == 0 {
			return nil
		}
		n, oobn, err := conn.WriteMsgUnix(data, unix.UnixRights(fds...), nil)
		if err != nil {
			return err
		}
		if n != len(data) || oobn == 0 {
			return errors.New("listen: _getsocks: short write")
		}
		fds, data = fds[:0], data[:0]
		if waitAck {
			var ack [4]byte
			if _, err := conn.Read(ack[:]); err != nil {
				return fmt.Errorf("listen: _getsocks: no acknowledgement: %w", err)
			}
		}
		return nil
	}
	for _, k := range keys {
		fd, err := FD(s.File(k))
		if err != nil {
			return err
		}
		fds = append(fds, fd)
		data = append(data, 0, 0, 0, 0, 0, 0) // no namespace, no interface, options
		if len(fds) == xferBatch {
			if err := flush(true); err != nil {
				return err
			}
		}
	}
	return flush(false)
}

// receiveGetSocks reads a "_getsocks" answer; the sockets are keyed by
// their local address (see addrKey).
func receiveGetSocks(conn *net.UnixConn) (*Set, error) {
	var count int32
	if err := binary.Read(conn, binary.NativeEndian, &count); err != nil {
		return nil, fmt.Errorf("listen: _getsocks: number of sockets: %w", err)
	}
	if count < 0 || count > 1<<16 {
		return nil, fmt.Errorf("listen: _getsocks: %d sockets announced", count)
	}
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	buf := make([]byte, xferBatch*(2+255+16+4))
	oob := make([]byte, unix.CmsgSpace(xferBatch*4))
	var data []byte
	for len(files) < int(count) {
		n, oobn, flags, _, err := conn.ReadMsgUnix(buf, oob)
		if err != nil || n == 0 {
			closeAll()
			if err == nil {
				err = errors.New("connection closed")
			}
			return nil, fmt.Errorf("listen: _getsocks: got %d of %d sockets: %w", len(files), count, err)
		}
		data = append(data, buf[:n]...)
		conn.Write([]byte{0, 0, 0, 0}) // the acknowledgement; the last one may find the peer gone
		cmsgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err == nil {
			for _, cm := range cmsgs {
				if fds, err := unix.ParseUnixRights(&cm); err == nil {
					for _, fd := range fds {
						unix.CloseOnExec(fd)
						files = append(files, os.NewFile(uintptr(fd), "getsocks"))
					}
				}
			}
		}
		if flags&unix.MSG_CTRUNC != 0 || len(files) > int(count) {
			closeAll()
			return nil, errors.New("listen: _getsocks: more sockets than announced")
		}
	}
	if err := checkRecords(data, len(files)); err != nil {
		closeAll()
		return nil, err
	}
	s := NewSet()
	for _, f := range files {
		key, err := addrKey(f)
		if err != nil || s.File(key) != nil {
			f.Close() // unnamed or a duplicate: not usable for a bind
			continue
		}
		s.Put(key, f)
	}
	return s, nil
}

// checkRecords validates the per-socket records of a transfer of n
// sockets (namespace, interface, options); gohaproxy binds no namespace or
// interface specific sockets, so their values are not used.
func checkRecords(data []byte, n int) error {
	off := 0
	for i := 0; i < n; i++ {
		for j := 0; j < 2; j++ {
			if off >= len(data) || off+1+int(data[off]) > len(data) {
				return errors.New("listen: _getsocks: inconsistent socket records")
			}
			off += 1 + int(data[off])
		}
		if off+4 > len(data) {
			return errors.New("listen: _getsocks: inconsistent socket records")
		}
		off += 4
	}
	return nil
}

// addrKey names a received socket by its local address: "127.0.0.1:80",
// "[::]:443", or the path of a unix socket.
func addrKey(f *os.File) (string, error) {
	fd, err := FD(f)
	if err != nil {
		return "", err
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return "", err
	}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)).String(), nil
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port)).String(), nil
	case *unix.SockaddrUnix:
		return "unix@" + a.Name, nil
	}
	return "", fmt.Errorf("unsupported address %T", sa)
}

// takeByAddress finds a socket whose local address is the one a bind
// address names ("127.0.0.1:80", "0.0.0.0:80", "[::]:80", ":80" or
// "*:80" for any address), for sets received from another process.
func (s *Set) takeByAddress(addr string) (string, bool) {
	if strings.Contains(addr, "@") {
		return "", false // fd@, unix@, ...: never matched by address
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", false
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return "", false
	}
	var want []string
	switch host {
	case "", "*":
		want = []string{"0.0.0.0:" + port, "[::]:" + port}
	default:
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return "", false
		}
		want = []string{netip.AddrPortFrom(ip.Unmap(), uint16(p)).String()}
	}
	for _, k := range want {
		if s.files[k] != nil {
			return k, true
		}
	}
	return "", false
}
