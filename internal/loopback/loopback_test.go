package loopback

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFreeAddrIsDead(t *testing.T) {
	addr := FreeAddr(t)
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("FreeAddr = %q, want 127.0.0.1:port", addr)
	}
	if _, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial %s: %v, want connection refused", addr, err)
	}
	if p := FreePort(t); p <= 0 || p > 65535 {
		t.Errorf("FreePort = %d", p)
	}
}

func TestServeEach(t *testing.T) {
	addr := ServeEach(t, Listen(t), func(c net.Conn) {
		line, _ := bufio.NewReader(c).ReadString('\n')
		io.WriteString(c, strings.ToUpper(line))
	})
	for range 2 { // one goroutine per connection, the listener stays open
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "ping\n")
		got, err := io.ReadAll(c) // handle returned: ServeEach closed c
		c.Close()
		if err != nil || string(got) != "PING\n" {
			t.Errorf("answer %q, %v; want PING", got, err)
		}
	}
}

func TestStartWeb(t *testing.T) {
	w := StartWeb(t, "server1")
	req, _ := http.NewRequest("GET", "http://"+w.Addr+"/a/b", nil)
	req.Header.Add("X-Forwarded-For", "10.0.0.1")
	req.Header.Add("X-Forwarded-For", "10.0.0.2")
	req.Header.Set("X-Tag", "t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "server1\n" {
		t.Errorf("body %q", body)
	}
	for h, want := range map[string]string{"X-Seen-XFF": "10.0.0.1|10.0.0.2", "X-Seen-X-Tag": "t", "X-Seen-Path": "/a/b", "Date": "fixed", "X-Seen-X-Goha": ""} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	w.Close()
	if _, err := http.Get("http://" + w.Addr + "/"); err == nil {
		t.Error("GET after Close succeeded")
	}
}

func TestWaitListenAndGet(t *testing.T) {
	w := StartWeb(t, "server1")
	WaitListen(t, w.Addr)
	if got := Get(t, w.Addr); got != "200 server1" {
		t.Errorf("Get = %q, want 200 server1", got)
	}
}

func TestListenUDP(t *testing.T) {
	c := ListenUDP(t)
	if !strings.HasPrefix(c.LocalAddr().String(), "127.0.0.1:") {
		t.Fatalf("LocalAddr = %v", c.LocalAddr())
	}
	s, err := net.Dial("udp", c.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	io.WriteString(s, "<150>hello")
	buf := make([]byte, 64)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "<150>hello" {
		t.Errorf("read %q, %v", buf[:n], err)
	}
}

// TestFreeAddrNeverRepeats: the addresses FreeAddr hands out are distinct,
// even when the kernel offers a port it just released again.
func TestFreeAddrNeverRepeats(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		a := FreeAddr(t)
		if seen[a] {
			t.Fatalf("FreeAddr returned %s twice", a)
		}
		seen[a] = true
	}
}

// TestFreeAddrReservedAcrossProcesses: a port FreeAddr handed out is
// locked in the shared reservation directory while the test runs, so
// another process (here: another open file description, as another
// process would hold) cannot lock it, and it is released at cleanup.
func TestFreeAddrReservedAcrossProcesses(t *testing.T) {
	var addr string
	t.Run("holder", func(t *testing.T) {
		addr = FreeAddr(t)
		if reserve(t, addr) {
			t.Fatalf("%s: a second lock was granted while the first test holds it", addr)
		}
	})
	if !reserve(t, addr) {
		t.Fatalf("%s: still locked after the holding test ended", addr)
	}
}
