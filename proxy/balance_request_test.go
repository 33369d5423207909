package proxy

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/balance"
)

// recordingBalancer picks the first server and keeps what the balancer
// saw of each request's X-Key header.
type recordingBalancer struct {
	servers []*balance.Server
	mu      sync.Mutex
	first   []string
	last    []string
}

func (b *recordingBalancer) Pick(r *balance.Request) *balance.Server {
	b.mu.Lock()
	defer b.mu.Unlock()
	f, _ := r.Header("x-key")
	l, _ := r.LastHeader("x-key")
	b.first, b.last = append(b.first, f), append(b.last, l)
	return b.servers[0]
}

func (b *recordingBalancer) Update() {}

// The balancer sees a request's first occurrence of a header (balance
// hdr(name)) and its last one (balance hash req.hdr(name)).
func TestBalancerSeesFirstAndLastHeader(t *testing.T) {
	be := textBackend(t, "ok")
	rb := &recordingBalancer{}
	p, err := New(keepAliveCfg(be.addr), Options{NewBalancer: func(_ balance.Spec, servers []*balance.Server) (balance.Balancer, error) {
		rb.servers = servers
		return rb, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Shutdown(t.Context()) })
	c, err := net.Dial("tcp", p.Addrs()[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Key: a\r\nx-key: b, c\r\nConnection: close\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.ReadAll(c)
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if len(rb.first) != 1 || rb.first[0] != "a" || rb.last[0] != "b, c" {
		t.Errorf("balancer saw first %q, last %q; want [a] and [b, c]", rb.first, rb.last)
	}
}
