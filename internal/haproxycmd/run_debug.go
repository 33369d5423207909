package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
)

// startDebugListener serves Go's pprof handlers and a goroutine count on
// $GOHAPROXY_DEBUG_ADDR (e.g. 127.0.0.1:6060) while the worker runs: the
// leak tests read /debug/goroutines, and profiles can be taken from a
// running process. HAProxy has no such thing; without the variable
// nothing listens. The returned function closes it.
func startDebugListener(stderr io.Writer) func() {
	addr := os.Getenv("GOHAPROXY_DEBUG_ADDR")
	if addr == "" {
		return func() {}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "goha: GOHAPROXY_DEBUG_ADDR %s: %v\n", addr, err)
		return func() {}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/goroutines", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%d\n", runtime.NumGoroutine())
	})
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	return func() { srv.Close() }
}
