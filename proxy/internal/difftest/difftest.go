// Package difftest runs the real HAProxy next to gohaproxy on 127.0.0.1 so
// tests can send the same bytes to both and compare what comes back. It
// only ever binds loopback addresses and kills the process it started by
// PID.
package difftest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// StartHAProxy writes cfg to a temporary file, runs `haproxy -db -f` on it
// and waits until addr accepts connections. The process is killed (by PID)
// when the test ends. cfg must bind only 127.0.0.1 addresses.
func StartHAProxy(t testing.TB, cfg, addr string) {
	t.Helper()
	if strings.Contains(cfg, "bind *") || strings.Contains(cfg, "bind :") {
		t.Fatal("difftest: haproxy configs must bind 127.0.0.1 only")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd := exec.Command("haproxy", "-db", "-f", path)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	// 10 s: under a load of 8 on two cores HAProxy once did not listen
	// within 5 (TestNoLingerTCPFrontendDifferential's 12th start)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("haproxy exited: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy did not listen on %s\n%s", addr, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Exchange sends raw on a new connection and returns everything read until
// the peer closes or nothing arrives for idle.
func Exchange(addr string, raw []byte, idle time.Duration) ([]byte, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if _, err := c.Write(raw); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	buf := make([]byte, 8192)
	for {
		c.SetReadDeadline(time.Now().Add(idle))
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			return out.Bytes(), nil
		}
	}
}

// Response is the comparable part of one HTTP response.
type Response struct {
	Status  int
	Headers map[string]string // lower-case name -> values joined with ", "
	Body    string
}

// ParseAll splits raw bytes into the responses they contain (pipelining,
// keep-alive). A request method per response is needed for HEAD bodies;
// missing entries mean GET.
func ParseAll(raw []byte, methods ...string) ([]Response, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	var out []Response
	for i := 0; ; i++ {
		if _, err := br.Peek(1); err == io.EOF {
			return out, nil
		}
		m := "GET"
		if i < len(methods) && methods[i] != "" {
			m = methods[i]
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: m})
		if err != nil {
			return out, fmt.Errorf("response %d: %w", i, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return out, fmt.Errorf("response %d body: %w", i, err)
		}
		r := Response{Status: resp.StatusCode, Headers: map[string]string{}, Body: string(body)}
		for k, v := range resp.Header {
			r.Headers[strings.ToLower(k)] = strings.Join(v, ", ")
		}
		if len(resp.TransferEncoding) > 0 {
			r.Headers["transfer-encoding"] = strings.Join(resp.TransferEncoding, ", ")
		}
		if resp.ContentLength >= 0 && resp.Header.Get("Content-Length") != "" {
			r.Headers["content-length"] = fmt.Sprint(resp.ContentLength)
		}
		out = append(out, r)
	}
}

// Diff compares two response lists on status, body and the named headers
// (lower case); it returns "" when they agree.
func Diff(want, got []Response, headers ...string) string {
	var d []string
	if len(want) != len(got) {
		d = append(d, fmt.Sprintf("haproxy sent %d responses, goha %d", len(want), len(got)))
	}
	for i := range min(len(want), len(got)) {
		w, g := want[i], got[i]
		if w.Status != g.Status {
			d = append(d, fmt.Sprintf("#%d status: haproxy %d, goha %d", i, w.Status, g.Status))
		}
		if w.Body != g.Body {
			d = append(d, fmt.Sprintf("#%d body: haproxy %q, goha %q", i, w.Body, g.Body))
		}
		hs := append([]string(nil), headers...)
		sort.Strings(hs)
		for _, h := range hs {
			if w.Headers[h] != g.Headers[h] {
				d = append(d, fmt.Sprintf("#%d header %s: haproxy %q, goha %q", i, h, w.Headers[h], g.Headers[h]))
			}
		}
	}
	return strings.Join(d, "\n")
}
