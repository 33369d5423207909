package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// BenchmarkH2ConnectTunnelDown: bytes down an HTTP/2 CONNECT tunnel
// (a plain CONNECT stream from Go's HTTP/2 client, tunnelled to an
// HTTP/1.1 server that streams b.N MB once it answered 200), through
// HAProxy 2.6.12 and through gohaproxy, each a process of its own on
// 127.0.0.1 with the same configuration, in alternating rounds (4 each).
// One op is one MB; haproxy-cpu-ms/MB and goha-cpu-ms/MB are the median
// of the rounds of the CPU the proxy process spent (the sum of its
// threads' run time, /proc/<pid>/task/*/schedstat) over a transfer:
// go test ./cmd/gohaproxy -run '^$' -bench H2ConnectTunnelDown -benchtime 64x
func BenchmarkH2ConnectTunnelDown(b *testing.B) {
	srv := tunnelServer(b)
	type proxyRun struct {
		name, front string
		pid         int
		cpu         []float64
	}
	var runs []*proxyRun
	for _, bin := range []string{testenv.LookPath(b, "haproxy"), gohaproxyBin(b)} {
		front := loopback.FreeAddr(b)
		cfg := fmt.Sprintf("global\n    nbthread 2\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 10s\n    timeout server 10s\n    timeout tunnel 10s\n"+
			"frontend fe\n    bind %s proto h2\n    default_backend be\nbackend be\n    server s1 %s\n", front, srv)
		cmd := startWithConfig(b, bin, cfg, front)
		runs = append(runs, &proxyRun{name: filepath.Base(bin), front: front, pid: cmd.Process.Pid})
	}
	b.SetBytes(1 << 20)
	b.ResetTimer()
	for round := 0; round < 4; round++ {
		for _, r := range runs {
			r.cpu = append(r.cpu, tunnelDown(b, r.front, r.pid))
		}
	}
	b.StopTimer()
	for _, r := range runs {
		slices.Sort(r.cpu)
		b.Logf("%s: proxy CPU ms/MB by round, sorted: %.3f", r.name, r.cpu)
		name := "haproxy-cpu-ms/MB"
		if r.name == "gohaproxy" {
			name = "goha-cpu-ms/MB"
		}
		b.ReportMetric((r.cpu[1]+r.cpu[2])/2, name)
	}
}

// tunnelServer answers every CONNECT with a 200, then sends mb MB (read
// from the request line's target port field: "CONNECT host:<mb>") and
// closes.
func tunnelServer(b *testing.B) string {
	chunk := []byte(strings.Repeat("0123456789abcdef", 64<<10/16))
	return loopback.ServeEach(b, loopback.Listen(b), func(c net.Conn) {
		br := bufio.NewReader(c)
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if l == "\r\n" {
				break
			}
		}
		f := strings.Fields(line)
		_, port, _ := net.SplitHostPort(f[1])
		mb, _ := strconv.Atoi(port)
		c.Write([]byte("HTTP/1.1 200 OK\r\n\r\n"))
		for i := 0; i < mb*16; i++ {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, c)
	})
}

// tunnelDown moves b.N MB down one tunnel through the proxy at front
// (process pid) and returns the CPU it spent per MB, in ms.
func tunnelDown(b *testing.B, front string, pid int) float64 {
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true) // prior knowledge, as the bind's proto h2
	tr := &http.Transport{Protocols: &protos}
	defer tr.CloseIdleConnections()
	pr, pw := io.Pipe()
	defer pw.Close()
	req, _ := http.NewRequest("CONNECT", "http://"+front, pr)
	req.Host = "tunnel.example:" + strconv.Itoa(b.N)
	before := procCPU(b, pid)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	cpu := procCPU(b, pid) - before
	if resp.StatusCode != 200 || n != int64(b.N)<<20 {
		b.Fatalf("status %d, %d bytes of %d: %v", resp.StatusCode, n, int64(b.N)<<20, err)
	}
	return float64(cpu.Microseconds()) / 1000 / float64(b.N)
}

// procCPU is the run time of every thread of process pid so far.
func procCPU(b *testing.B, pid int) time.Duration {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(tasks) == 0 {
		b.Fatalf("no threads of %d: %v", pid, err)
	}
	var total time.Duration
	for _, p := range tasks {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue // a thread that ended
		}
		f := strings.Fields(string(raw))
		if len(f) > 0 {
			ns, _ := strconv.ParseInt(f[0], 10, 64)
			total += time.Duration(ns)
		}
	}
	return total
}
