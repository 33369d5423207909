package proxy

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/listen"
)

// sharedListener hands out duplicates of one listening socket, as a worker
// that inherited its sockets from the previous one sees them.
func sharedListener(t *testing.T) (addr string, dup func() net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String(), func() net.Listener {
		f, err := ln.(*net.TCPListener).File()
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		d, err := net.FileListener(f)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
}

func TestOptionsListenIsUsed(t *testing.T) {
	be := textBackend(t, "hello")
	cfg := seedConfig(be.addr)
	cfg.Frontends[0].Binds = []string{"fd@7"}
	addr, dup := sharedListener(t)
	var asked []string
	p, err := New(cfg, Options{NewBalancer: newTestBalancer, Listen: func(network, a string, _ listen.SockOpts) (net.Listener, error) {
		asked = append(asked, network+" "+a)
		return dup(), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown(context.Background())
	if strings.Join(asked, ",") != "tcp fd@7" {
		t.Fatalf("Listen asked for %v", asked)
	}
	if got := p.Addrs()[0].String(); got != addr {
		t.Fatalf("Addrs = %s, want %s", got, addr)
	}
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello" {
		t.Fatalf("body %q", body)
	}
}

func TestOptionsListenErrors(t *testing.T) {
	cfg := seedConfig("127.0.0.1:1")
	dir := t.TempDir()
	p, err := New(cfg, Options{NewBalancer: newTestBalancer, Listen: func(network, a string, _ listen.SockOpts) (net.Listener, error) {
		return net.Listen("unix", dir+"/s")
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err == nil || !strings.Contains(err.Error(), "not a TCP listener") {
		t.Fatalf("Start = %v", err)
	}
	if _, err := os.Stat(dir + "/s"); err == nil {
		// net.UnixListener.Close removes its socket file: it was closed.
		t.Fatalf("refused listener left open")
	}
}

// TestShutdownHandsOverSharedSocket is a reload in miniature: two proxies
// accept from the same socket, the old one shuts down while a client keeps
// opening connections; every request must be answered by one of them.
func TestShutdownHandsOverSharedSocket(t *testing.T) {
	be := textBackend(t, "ok")
	addr, dup := sharedListener(t)
	start := func() *Proxy {
		cfg := seedConfig(be.addr)
		p, err := New(cfg, Options{NewBalancer: newTestBalancer, Listen: func(string, string, listen.SockOpts) (net.Listener, error) { return dup(), nil }})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old, cur := start(), start()
	defer cur.Shutdown(context.Background())

	var failed, served atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	done := make(chan struct{})
	tr := &http.Transport{DisableKeepAlives: true}
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	go func() {
		defer close(done)
		for i := 0; i < 2000; i++ {
			select {
			case <-stop:
				return
			default:
			}
			resp, err := client.Get("http://" + addr + "/")
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				continue
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) == "ok" {
				served.Add(1)
			} else {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, resp.Status+" "+string(b))
			}
		}
	}()
	time.Sleep(100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	if err := old.Shutdown(ctx); err != nil {
		t.Errorf("old Shutdown: %v", err)
	}
	cancel()
	time.Sleep(100 * time.Millisecond)
	close(stop)
	<-done
	if failed.Load() != 0 || served.Load() == 0 {
		t.Fatalf("served %d, failed %d (first: %v)", served.Load(), failed.Load(), firstErr.Load())
	}
}
