package listen

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// maxSendFDs stays under the kernel's SCM_MAX_FD (253) so a whole Set goes
// in one message.
const maxSendFDs = 250

// setMessage is the data part of a transfer: the keys, in the order of the
// descriptors in the SCM_RIGHTS control message.
type setMessage struct {
	Keys []string `json:"keys"`
}

// Send writes the Set over a unix stream socket: a 4-byte big-endian
// length, a JSON list of bind addresses, and the descriptors attached with
// SCM_RIGHTS. The Set keeps its files.
func Send(conn *net.UnixConn, s *Set) error {
	keys := s.Keys()
	if len(keys) > maxSendFDs {
		return fmt.Errorf("listen: %d listeners exceed the %d a transfer carries", len(keys), maxSendFDs)
	}
	body, err := json.Marshal(setMessage{Keys: keys})
	if err != nil {
		return err
	}
	msg := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	msg = append(msg, body...)
	fds := make([]int, 0, len(keys))
	for _, k := range keys {
		fd, err := FD(s.File(k))
		if err != nil {
			return fmt.Errorf("listen: send %s: %w", k, err)
		}
		fds = append(fds, fd)
	}
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	n, oobn, err := conn.WriteMsgUnix(msg, oob, nil)
	if err != nil {
		return fmt.Errorf("listen: send: %w", err)
	}
	if oobn != len(oob) {
		return errors.New("listen: send: control message truncated")
	}
	if n < len(msg) {
		_, err = conn.Write(msg[n:])
	}
	return err
}

// Receive reads one Set written by Send.
func Receive(conn *net.UnixConn) (*Set, error) {
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(maxSendFDs*4))
	n, oobn, flags, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, fmt.Errorf("listen: receive: %w", err)
	}
	var files []*os.File
	if oobn > 0 {
		cmsgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			return nil, fmt.Errorf("listen: receive: %w", err)
		}
		for _, cm := range cmsgs {
			fds, err := unix.ParseUnixRights(&cm)
			if err != nil {
				continue
			}
			for _, fd := range fds {
				unix.CloseOnExec(fd)
				files = append(files, os.NewFile(uintptr(fd), "received"))
			}
		}
	}
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	if flags&unix.MSG_CTRUNC != 0 {
		closeAll()
		return nil, errors.New("listen: receive: control message truncated")
	}
	if n == 0 {
		closeAll()
		return nil, io.ErrUnexpectedEOF
	}
	data := buf[:n]
	for len(data) < 4 {
		more := make([]byte, 4-len(data))
		if _, err := io.ReadFull(conn, more); err != nil {
			closeAll()
			return nil, fmt.Errorf("listen: receive: %w", err)
		}
		data = append(data, more...)
	}
	size := int(binary.BigEndian.Uint32(data))
	if size > 1<<20 {
		closeAll()
		return nil, fmt.Errorf("listen: receive: message of %d bytes", size)
	}
	data = data[4:]
	if len(data) < size {
		more := make([]byte, size-len(data))
		if _, err := io.ReadFull(conn, more); err != nil {
			closeAll()
			return nil, fmt.Errorf("listen: receive: %w", err)
		}
		data = append(data, more...)
	}
	var m setMessage
	if err := json.Unmarshal(data[:size], &m); err != nil || len(m.Keys) != len(files) {
		closeAll()
		if err == nil {
			err = fmt.Errorf("%d names for %d descriptors", len(m.Keys), len(files))
		}
		return nil, fmt.Errorf("listen: receive: %w", err)
	}
	s := NewSet()
	for i, k := range m.Keys {
		s.Put(k, files[i])
	}
	return s, nil
}

// FD is f's descriptor number, read without os.File.Fd (which would switch
// a shared socket to blocking mode). It stays valid while f is open.
func FD(f *os.File) (int, error) {
	if f == nil {
		return -1, os.ErrClosed
	}
	var sc syscall.Conn = f
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	if err := rc.Control(func(u uintptr) { fd = int(u) }); err != nil {
		return -1, err
	}
	return fd, nil
}
