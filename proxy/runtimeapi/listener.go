package runtimeapi

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// Options configure a stats socket.
type Options struct {
	Level   Level         // `level`; the zero value is LevelUser, so set it (HAProxy's default is operator)
	Timeout time.Duration // `stats timeout`: idle limit per connection; default 10s
	Mode    os.FileMode   // `mode`; 0 leaves the umask's choice
	// UID and GID are `user`/`uid` and `group`/`gid`: the socket file's
	// owner and group (-1 or nil: left as created), set before its mode
	// and before it takes its name, as HAProxy does.
	UID, GID *int
	// MaxLine bounds one input line (HAProxy's buffer size).
	MaxLine int
	// GetSocks, when set (`expose-fd listeners`), answers the "_getsocks"
	// command with which a new gohaproxy (`-x`) fetches this process's
	// listening sockets; it gets the connection, which is closed after.
	GetSocks func(c *net.UnixConn) error
	// OnAccept, when set, is called for each accepted connection: HAProxy
	// counts a CLI connection in CumConns and CumReq.
	OnAccept func()
	// SeverityOutput is the `severity-output` bind option (none, number
	// or string): how each session starts, before any `set
	// severity-output`. "" is none.
	SeverityOutput string
}

// Listener serves the runtime API on a socket.
type Listener struct {
	ln   net.Listener
	src  Source
	opt  Options
	wg   sync.WaitGroup
	mu   sync.Mutex
	conn map[net.Conn]struct{}
	done bool
	path string      // socket file created by Listen
	file os.FileInfo // its identity, to remove only our own socket
}

// Listen creates the unix socket at path and serves it. As HAProxy does,
// the socket is bound under a temporary name and renamed over path, so a
// reloading process replaces its predecessor's socket atomically and
// clients never find the path missing; Close removes path only while it
// is still this listener's socket, never a successor's.
func Listen(path string, src Source, opt Options) (*Listener, error) {
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	os.Remove(tmp)
	ln, err := net.Listen("unix", tmp)
	if err != nil {
		return nil, err
	}
	ul := ln.(*net.UnixListener)
	ul.SetUnlinkOnClose(false)
	fail := func(err error) (*Listener, error) {
		ln.Close()
		os.Remove(tmp)
		return nil, err
	}
	if opt.UID != nil || opt.GID != nil {
		uid, gid := -1, -1
		if opt.UID != nil {
			uid = *opt.UID
		}
		if opt.GID != nil {
			gid = *opt.GID
		}
		if err := os.Chown(tmp, uid, gid); err != nil {
			return fail(err)
		}
	}
	if opt.Mode != 0 {
		if err := os.Chmod(tmp, opt.Mode); err != nil {
			return fail(err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fail(err)
	}
	l := Serve(ln, src, opt)
	l.path, l.file = path, fi
	return l, nil
}

// Serve answers CLI connections on ln until Close.
func Serve(ln net.Listener, src Source, opt Options) *Listener {
	if opt.Timeout <= 0 {
		opt.Timeout = 10 * time.Second
	}
	if opt.MaxLine <= 0 {
		opt.MaxLine = 16384
	}
	s := &Listener{ln: ln, src: src, opt: opt, conn: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.acceptLoop()
	return s
}

// Addr is the listening address (the socket path).
func (s *Listener) Addr() net.Addr { return s.ln.Addr() }

func (s *Listener) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		s.mu.Lock()
		if s.done {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conn[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		if s.opt.OnAccept != nil {
			s.opt.OnAccept()
		}
		go s.handle(c)
	}
}

func (s *Listener) handle(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conn, c)
		s.mu.Unlock()
		c.Close()
	}()
	sess := NewSession(s.src, s.opt.Level)
	sess.sevOut, _ = parseSeverityOutput(s.opt.SeverityOutput)
	r := bufio.NewReaderSize(c, 4096)
	for {
		// HAProxy 2.6 applies `stats timeout` to a client waiting to send
		// its command, but never closes an interactive (prompt) session
		// for being idle (measured: open after 13 s with a 1 s timeout).
		if d := sess.Idle(); d > 0 {
			c.SetReadDeadline(time.Now().Add(d)) // set timeout cli: prompt mode too
		} else if sess.Interactive() {
			c.SetReadDeadline(time.Time{})
		} else {
			c.SetReadDeadline(time.Now().Add(s.opt.Timeout))
		}
		line, err := readLine(r, s.opt.MaxLine)
		if err != nil && line == "" {
			return
		}
		if s.opt.GetSocks != nil && trimEOL(line) == "_getsocks" {
			if uc, ok := c.(*net.UnixConn); ok {
				s.opt.GetSocks(uc)
				return
			}
		}
		var payload *string
		if l := trimEOL(line); strings.HasSuffix(l, "<<") {
			// HAProxy's payload: the lines up to an empty one; a
			// connection that ends first runs nothing, as HAProxy.
			var lines []string
			for {
				more, rerr := readLine(r, s.opt.MaxLine)
				if rerr != nil && more == "" {
					return
				}
				if trimEOL(more) == "" {
					break
				}
				lines = append(lines, trimEOL(more))
			}
			text := strings.Join(lines, "\n")
			payload, line = &text, strings.TrimSuffix(l, "<<")
		}
		out, done := sess.ExecPayload(line, payload)
		c.SetWriteDeadline(time.Now().Add(s.opt.Timeout))
		if _, werr := c.Write(out); werr != nil || done || err != nil {
			return
		}
	}
}

func trimEOL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}

// readLine reads up to '\n'; a longer line is cut at max bytes.
func readLine(r *bufio.Reader, max int) (string, error) {
	var buf []byte
	for {
		frag, err := r.ReadSlice('\n')
		if len(buf)+len(frag) <= max {
			buf = append(buf, frag...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return string(buf), err
	}
}

// Close stops accepting, closes open CLI connections, waits for their
// goroutines, and removes the socket file if it is still this
// listener's.
func (s *Listener) Close() error {
	s.mu.Lock()
	s.done = true
	err := s.ln.Close()
	for c := range s.conn {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	if s.path != "" {
		if fi, serr := os.Stat(s.path); serr == nil && os.SameFile(fi, s.file) {
			os.Remove(s.path)
		}
	}
	return err
}
