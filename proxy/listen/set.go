package listen

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// EnvInherited names the environment variable through which a parent
// tells a child which of its ExtraFiles is which bind address.
const EnvInherited = "GOHA_INHERITED_LISTENERS"

// Set is a collection of listening sockets by bind address (as written in
// the configuration: "127.0.0.1:8080", "fd@3", ":80"). It owns the files.
type Set struct {
	files map[string]*os.File
}

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{files: map[string]*os.File{}} }

// Add stores a duplicate of ln's socket under addr, replacing (and closing)
// any previous one.
func (s *Set) Add(addr string, ln net.Listener) error {
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return fmt.Errorf("listen: %T cannot export its descriptor", ln)
	}
	f, err := dupConn(sc, addr)
	if err != nil {
		return fmt.Errorf("listen: export %s: %w", addr, err)
	}
	s.Put(addr, f)
	return nil
}

// Put stores f under addr; the Set owns it from now on.
func (s *Set) Put(addr string, f *os.File) {
	if old := s.files[addr]; old != nil && old != f {
		old.Close()
	}
	s.files[addr] = f
}

// Keys returns the bind addresses in a stable order.
func (s *Set) Keys() []string {
	keys := make([]string, 0, len(s.files))
	for k := range s.files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Len is the number of sockets held.
func (s *Set) Len() int { return len(s.files) }

// File returns the socket stored under addr, or nil.
func (s *Set) File(addr string) *os.File { return s.files[addr] }

// Take removes the socket stored under addr (or, failing that, one whose
// local address is the one addr names) and returns it as a listener; ok is
// false when there is none.
func (s *Set) Take(addr string) (ln net.Listener, ok bool, err error) {
	f := s.files[addr]
	if f == nil {
		// Sockets received from another process (-x) are named by their
		// local address, not by the bind line.
		k, found := s.takeByAddress(addr)
		if !found {
			return nil, false, nil
		}
		addr, f = k, s.files[k]
	}
	delete(s.files, addr)
	ln, err = net.FileListener(f)
	f.Close()
	if err != nil {
		return nil, true, fmt.Errorf("listen: inherited socket for %s: %w", addr, err)
	}
	return ln, true, nil
}

// Close closes every socket still held.
func (s *Set) Close() {
	for k, f := range s.files {
		f.Close()
		delete(s.files, k)
	}
}

// Encode lays the Set out for a child process whose descriptors from
// firstFD on will be files[0], files[1], ... (exec.Cmd.ExtraFiles starts
// at 3); env is the EnvInherited value naming them.
func (s *Set) Encode(firstFD int) (files []*os.File, env string) {
	var parts []string
	for _, k := range s.Keys() {
		parts = append(parts, url.QueryEscape(k)+"="+strconv.Itoa(firstFD+len(files)))
		files = append(files, s.files[k])
	}
	return files, strings.Join(parts, ";")
}

// Decode builds a Set from an EnvInherited value; the descriptors must be
// open in this process. An empty value gives an empty Set.
func Decode(env string) (*Set, error) {
	s := NewSet()
	if env == "" {
		return s, nil
	}
	for _, part := range strings.Split(env, ";") {
		k, v, ok := strings.Cut(part, "=")
		addr, err := url.QueryUnescape(k)
		fd, err2 := strconv.Atoi(v)
		if !ok || err != nil || err2 != nil || fd < 3 {
			s.Close()
			return nil, fmt.Errorf("listen: malformed %s entry %q", EnvInherited, part)
		}
		s.Put(addr, os.NewFile(uintptr(fd), addr))
	}
	return s, nil
}
