package seedlab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// BackendPorts and the bodies they answer, as the seed's three nginx
// virtual servers (index.html files holding server1..3).
var BackendPorts = []struct {
	Port int
	Body string
}{{80, "server1"}, {81, "server2"}, {82, "server3"}}

// BackendMode says how the backend host serves the three sites.
type BackendMode int

const (
	// BackendCommand runs Options.BackendArgv, a program that calls
	// ServeBackends (the demo re-executes itself in a hidden mode).
	BackendCommand BackendMode = iota
	// BackendNginx runs the real nginx with the seed's nginx-servers.conf.
	BackendNginx
)

// ServeBackends answers GET on ports 80, 81 and 82 of every address with
// server1, server2 and server3 (plus a newline, as the tutorial's
// index.html files), until ctx is done. It is the built-in replacement
// for nginx, run in the backend namespace.
func ServeBackends(ctx context.Context) error {
	errc := make(chan error, len(BackendPorts))
	var servers []*http.Server
	for _, b := range BackendPorts {
		ln, err := net.Listen("tcp", fmt.Sprintf(":%d", b.Port))
		if err != nil {
			for _, s := range servers {
				s.Close()
			}
			return err
		}
		body := []byte(b.Body + "\n")
		srv := &http.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Write(body)
			}),
			ReadHeaderTimeout: 10 * time.Second,
		}
		servers = append(servers, srv)
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case <-ctx.Done():
		for _, s := range servers {
			s.Close()
		}
		return nil
	case err := <-errc:
		for _, s := range servers {
			s.Close()
		}
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}
