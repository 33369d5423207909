package proxy

import (
	"context"
	"testing"
	"time"
)

// Options.Logs picks the frontends that log: the others never reach Log.
func TestLogsOptionSelectsFrontends(t *testing.T) {
	be := textBackend(t, "ok")
	for _, tc := range []struct {
		name string
		logs func(string) bool
		want int
	}{
		{"unset: every frontend", nil, 2},
		{"frontend logs", func(f string) bool { return f == "main" }, 2},
		{"frontend silent", func(f string) bool { return f != "main" }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sink logSink
			p, err := New(seedConfig(be.addr), Options{NewBalancer: newTestBalancer, Log: sink.add, Logs: tc.logs})
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			addr := p.Addrs()[0].String()
			for range 2 {
				if got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2*time.Second); len(got) == 0 {
					t.Fatal("no response")
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			p.Shutdown(ctx) // sessions have ended and logged
			if n := len(sink.get()); n != tc.want {
				t.Fatalf("%d log entries, want %d: %q", n, tc.want, sink.get())
			}
		})
	}
}
