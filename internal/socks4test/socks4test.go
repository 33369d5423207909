// Package socks4test is a SOCKS4 proxy for tests: it records every
// request it gets and answers as told (grant and relay, refuse, close,
// stay silent), on 127.0.0.1, closed with the test.
package socks4test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// Proxy is a running SOCKS4 proxy; Addr is where it listens.
type Proxy struct {
	Addr string
	mu   sync.Mutex
	mode string
	reqs []string // each request, hex
}

// Start runs a proxy answering in mode: "grant" (answer 90, then relay
// to the requested address), "refuse" (answer 91), "close" (close
// without answering), "silent" (answer nothing for 2 s, then close).
func Start(t *testing.T, mode string) *Proxy {
	ln := loopback.Listen(t)
	s := &Proxy{Addr: ln.Addr().String(), mode: mode}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

// Set changes the mode for the requests to come.
func (s *Proxy) Set(mode string) { s.mu.Lock(); s.mode = mode; s.mu.Unlock() }

// Take returns the requests received so far, in hex, and forgets them.
func (s *Proxy) Take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.reqs
	s.reqs = nil
	return r
}

// serve reads a request (8 bytes, then a user id up to its NUL) and
// answers it as the mode says.
func (s *Proxy) serve(c net.Conn) {
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	head := make([]byte, 8)
	if _, err := io.ReadFull(br, head); err != nil {
		return
	}
	user, err := br.ReadBytes(0)
	if err != nil {
		return
	}
	s.mu.Lock()
	mode := s.mode
	s.reqs = append(s.reqs, fmt.Sprintf("%x%x", head, user))
	s.mu.Unlock()
	switch mode {
	case "refuse":
		c.Write([]byte{0, 91, 0, 0, 0, 0, 0, 0})
		return
	case "close":
		return
	case "silent":
		time.Sleep(2 * time.Second)
		return
	}
	srv, err := net.Dial("tcp", net.JoinHostPort(net.IP(head[4:8]).String(), strconv.Itoa(int(head[2])<<8|int(head[3]))))
	if err != nil {
		return
	}
	defer srv.Close()
	c.SetReadDeadline(time.Time{})
	c.Write([]byte{0, 90, head[2], head[3], head[4], head[5], head[6], head[7]})
	go io.Copy(srv, br)
	io.Copy(c, srv)
}
