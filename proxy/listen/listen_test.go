package listen

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// rawSocket makes a descriptor of the given shape for FromFD.
func rawSocket(t *testing.T, kind string) int {
	t.Helper()
	var fd int
	var err error
	lo := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	switch kind {
	case "listening", "bound", "unbound", "connected":
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err == nil && kind != "unbound" && kind != "connected" {
			err = unix.Bind(fd, lo)
		}
		if err == nil && kind == "listening" {
			err = unix.Listen(fd, 8)
		}
		if err == nil && kind == "connected" {
			ln, lerr := net.Listen("tcp", "127.0.0.1:0")
			if lerr != nil {
				t.Fatal(lerr)
			}
			t.Cleanup(func() { ln.Close() })
			err = unix.Connect(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: ln.Addr().(*net.TCPAddr).Port})
		}
	case "udp":
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	case "unix":
		fd, err = unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	case "file":
		fd, err = unix.Open("/proc/self/status", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	case "closed":
		fd, err = unix.Open("/proc/self/status", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == nil {
			unix.Close(fd)
		}
	}
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	return fd
}

func TestFromFD(t *testing.T) {
	tests := []struct {
		kind    string
		wantErr string // "" = a working listener
	}{
		{"listening", ""},
		{"bound", ""},   // HAProxy calls listen() itself
		{"unbound", ""}, // listen() binds an ephemeral port, as with HAProxy
		{"connected", "cannot listen to socket on file descriptor '%d' : Invalid argument."},
		{"udp", "socket on file descriptor '%d' is of the wrong type."},
		{"unix", "socket on file descriptor '%d' is not an inet/inet6 socket"},
		{"file", "cannot use file descriptor '%d' : Socket operation on non-socket."},
		{"closed", "cannot use file descriptor '%d' : Bad file descriptor."},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			fd := rawSocket(t, tt.kind)
			ln, err := FromFD(fd)
			if tt.wantErr != "" {
				if tt.kind != "closed" {
					defer unix.Close(fd) // a refused descriptor is left to its owner
				}
				want := fmt.Sprintf(tt.wantErr, fd)
				if err == nil || !strings.HasPrefix(err.Error(), want) {
					t.Fatalf("err = %v, want prefix %q", err, want)
				}
				if fe, ok := err.(*FDError); !ok || fe.FD != fd {
					t.Fatalf("err %T does not name fd %d", err, fd)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != unix.EBADF {
				t.Errorf("original fd %d still open after wrapping (err %v)", fd, err)
			}
			roundTrip(t, ln)
		})
	}
}

// roundTrip proves ln accepts: a client writes, the accepted side reads.
func roundTrip(t *testing.T, ln net.Listener) {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- "accept: " + err.Error()
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		done <- string(b)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("ping"))
	c.Close()
	if got := <-done; got != "ping" {
		t.Fatalf("accepted side read %q", got)
	}
}

func TestResolverReusesInheritedSocket(t *testing.T) {
	orig, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	addr := orig.Addr().String()
	inh := NewSet()
	if err := inh.Add(addr, orig); err != nil {
		t.Fatal(err)
	}
	r := &Resolver{Inherited: inh}
	defer r.Close()
	// Binding the same address again would fail with EADDRINUSE: success
	// means the inherited socket was taken.
	ln, err := r.Listen("tcp", addr, SockOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if ln.Addr().String() != addr {
		t.Fatalf("got %s, want %s", ln.Addr(), addr)
	}
	if inh.Len() != 0 {
		t.Fatalf("inherited socket not taken out of the set")
	}
	// The original stops accepting (a soft-stopping old worker): its
	// queue is the new listener's queue, nothing is lost.
	orig.Close()
	roundTrip(t, ln)
	ln.Close()

	used := r.Used()
	defer used.Close()
	if got := used.Keys(); len(got) != 1 || got[0] != addr {
		t.Fatalf("Used keys = %v", got)
	}
}

func TestResolverAddresses(t *testing.T) {
	r := &Resolver{}
	defer r.Close()
	ln, err := r.Listen("tcp", "ipv4@127.0.0.1:0", SockOpts{})
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, ln)
	ln.Close()
	for addr, want := range map[string]string{
		"sockpair@4":  "not supported",
		"fd@x":        "is not a valid integer",
		"abns@foo":    "address family 'abns' is not supported",
		"fd@99999999": "cannot use file descriptor '99999999' : Bad file descriptor.",
	} {
		if _, err := r.Listen("tcp", addr, SockOpts{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", addr, err, want)
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	s := NewSet()
	defer s.Close()
	addrs := []string{"127.0.0.1:0", "[::1]:0"}
	for _, a := range addrs {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			t.Skipf("%s: %v", a, err)
		}
		s.Add(a, ln)
		ln.Close()
	}
	files, env := s.Encode(4)
	if len(files) != 2 {
		t.Fatalf("files = %v", files)
	}
	if want := "127.0.0.1%3A0=4;%5B%3A%3A1%5D%3A0=5"; env != want {
		t.Fatalf("env = %q, want %q", env, want)
	}
	// Decode in this process: rewrite the numbers to real duplicates.
	var parts []string
	for i, k := range s.Keys() {
		d, err := dupConn(files[i], k)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, strings.Split(strings.Split(env, ";")[i], "=")[0]+"="+fmt.Sprint(d.Fd()))
	}
	got, err := Decode(strings.Join(parts, ";"))
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if fmt.Sprint(got.Keys()) != fmt.Sprint(s.Keys()) {
		t.Fatalf("keys %v, want %v", got.Keys(), s.Keys())
	}
	for _, bad := range []string{"x", "a=b", "a=1", "%zz=5"} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%q) accepted", bad)
		}
	}
}

func TestSendReceive(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, b := unixConn(t, fds[0]), unixConn(t, fds[1])
	defer a.Close()
	defer b.Close()

	s := NewSet()
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	s.Add(addr, ln)
	ln.Close()
	if err := Send(a, s); err != nil {
		t.Fatal(err)
	}
	got, err := Receive(b)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	rln, ok, err := got.Take(addr)
	if !ok || err != nil {
		t.Fatalf("Take: %v %v (keys %v)", ok, err, got.Keys())
	}
	defer rln.Close()
	roundTrip(t, rln)

	// An empty set travels too.
	if err := Send(a, NewSet()); err != nil {
		t.Fatal(err)
	}
	if e, err := Receive(b); err != nil || e.Len() != 0 {
		t.Fatalf("empty set: %v %v", e, err)
	}
}

func unixConn(t *testing.T, fd int) *net.UnixConn {
	t.Helper()
	f := os.NewFile(uintptr(fd), "pair")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	return c.(*net.UnixConn)
}

func TestSystemdActivation(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name  string
		vars  map[string]string
		ok    bool
		fds   []int
		exprt []string
	}{
		{"none", map[string]string{}, false, nil, nil},
		{"other pid", map[string]string{"LISTEN_PID": "1", "LISTEN_FDS": "2"}, false, nil, nil},
		{"two unnamed", map[string]string{"LISTEN_PID": "42", "LISTEN_FDS": "2"}, true, []int{3, 4}, nil},
		{"named", map[string]string{"LISTEN_PID": "42", "LISTEN_FDS": "3", "LISTEN_FDNAMES": "http:https-alt:http"},
			true, []int{3, 4, 5}, []string{"LISTEN_FD_HTTP=3", "LISTEN_FD_HTTPS_ALT=4"}},
		{"bad count", map[string]string{"LISTEN_PID": "42", "LISTEN_FDS": "x"}, false, nil, nil},
	}
	for _, tt := range tests {
		a, ok := SystemdActivation(env(tt.vars), 42)
		if ok != tt.ok || fmt.Sprint(a.FDs) != fmt.Sprint(tt.fds) || fmt.Sprint(a.Env()) != fmt.Sprint(tt.exprt) {
			t.Errorf("%s: got %v %v %v", tt.name, ok, a.FDs, a.Env())
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"", "a=3", "127.0.0.1%3A80=3;x=4", "=", ";;", "a=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Only shapes are checked; fds beyond 1<<20 are never open, so a
		// successful decode cannot wrap a live descriptor.
		parts := strings.Split(s, ";")
		for _, p := range parts {
			_, v, _ := strings.Cut(p, "=")
			var n int
			if _, err := fmt.Sscan(v, &n); err == nil && n < 1<<20 {
				return
			}
		}
		if set, err := Decode(s); err == nil {
			set.files = nil // never close made-up descriptors
		}
	})
}

func TestFetchGetSocks(t *testing.T) {
	path := t.TempDir() + "/stats.sock"
	srv, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := NewSet()
	defer s.Close()
	s.Add("127.0.0.1:80", ln) // the key does not travel: the address does
	go func() {
		c, err := srv.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		line := make([]byte, 64)
		n, _ := c.Read(line)
		if string(line[:n]) == GetSocksCommand+"\n" {
			ServeGetSocks(c.(*net.UnixConn), s)
		}
	}()
	got, err := FetchGetSocks(path, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	rln, ok, err := got.Take(ln.Addr().String())
	if !ok || err != nil {
		t.Fatalf("keys %v: %v", got.Keys(), err)
	}
	defer rln.Close()
	if rln.Addr().String() != ln.Addr().String() {
		t.Fatalf("got %s want %s", rln.Addr(), ln.Addr())
	}
	if _, err := FetchGetSocks(t.TempDir()+"/none", time.Second); err == nil {
		t.Fatal("fetch from a missing socket succeeded")
	}
}

func TestReusePort(t *testing.T) {
	a := &Resolver{}
	defer a.Close()
	ln, err := a.Listen("tcp", "127.0.0.1:0", SockOpts{ReusePort: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	b := &Resolver{}
	defer b.Close()
	ln2, err := b.Listen("tcp", ln.Addr().String(), SockOpts{ReusePort: true})
	if err != nil {
		t.Fatalf("second bind with SO_REUSEPORT: %v", err)
	}
	ln2.Close()
	if _, err := (&Resolver{}).Listen("tcp", ln.Addr().String(), SockOpts{}); err == nil {
		t.Fatal("bind without SO_REUSEPORT succeeded on a used port")
	}
}
