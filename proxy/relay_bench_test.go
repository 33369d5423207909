package proxy

import (
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// benchRelayTimeouts are the relay's timeouts in BenchmarkRelayRoundTrip
// (a minute each side: the clocks run, none runs out).
var benchRelayTimeouts = relayTimeouts{client: time.Minute, server: time.Minute}

// BenchmarkRelayRoundTrip: a 64-byte message through the relay to an echo
// server and back (one read and one write each way per op), reporting the
// process's CPU time per op beside the wall time (client and echo server
// included: compare runs, not absolutes).
func BenchmarkRelayRoundTrip(b *testing.B) {
	client, pc := benchPair(b)
	ps, server := benchPair(b)
	done := make(chan relayCounts, 1)
	go func() {
		done <- relay(newTconn(pc, nil), newTconn(ps, nil), benchRelayTimeouts, spliceNever, spliceNever)
	}()
	go func() {
		buf := make([]byte, 64)
		for {
			n, err := server.Read(buf)
			if err != nil {
				server.CloseWrite()
				return
			}
			server.Write(buf[:n])
		}
	}()
	msg, got := make([]byte, 64), make([]byte, 64)
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		client.Write(msg)
		if _, err := io.ReadFull(client, got); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := time.Duration(syscall.TimevalToNsec(ru1.Utime) - syscall.TimevalToNsec(ru0.Utime) +
		syscall.TimevalToNsec(ru1.Stime) - syscall.TimevalToNsec(ru0.Stime))
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	client.CloseWrite()
	<-done
}

// benchPair is tcpPair for a benchmark.
func benchPair(b *testing.B) (x, y *net.TCPConn) {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	ch := make(chan *net.TCPConn, 1)
	go func() {
		c, _ := ln.AcceptTCP()
		ch <- c
	}()
	x, err = net.DialTCP("tcp", nil, ln.Addr().(*net.TCPAddr))
	if err != nil {
		b.Fatal(err)
	}
	y = <-ch
	if y == nil {
		b.Fatal("accept failed")
	}
	b.Cleanup(func() { x.Close(); y.Close() })
	return x, y
}
