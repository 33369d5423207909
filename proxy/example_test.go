package proxy_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/balance"
)

// A frontend on loopback forwarding HTTP to one server: the Config is what
// proxy/haproxycfg builds from haproxy.cfg, with HAProxy's defaults already
// applied (the proxy does not re-default).
func Example() {
	web := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from web1\n")
	})}
	webAddr := listenLoopback(web)
	defer web.Close()

	timeouts := proxy.Timeouts{Client: 5 * time.Second, Server: 5 * time.Second, Connect: time.Second,
		HTTPRequest: 5 * time.Second, HTTPKeepAlive: 5 * time.Second}
	cfg := &proxy.Config{
		Frontends: []*proxy.Frontend{{Name: "main", Binds: []string{"127.0.0.1:0"}, Mode: proxy.ModeHTTP,
			Timeouts: timeouts, DefaultBackend: "servers", ConnMode: proxy.KeepAlive}},
		Backends: []*proxy.Backend{{Name: "servers", Mode: proxy.ModeHTTP, Timeouts: timeouts, Retries: 3,
			Balance: balance.Spec{Algorithm: "roundrobin"}, ConnMode: proxy.KeepAlive,
			Servers: []*proxy.Server{{Name: "web1", Addr: webAddr, Weight: 1}}}},
	}
	p, err := proxy.New(cfg, proxy.Options{}) // builds each backend's balancer from its Balance spec
	if err != nil {
		log.Fatal(err)
	}
	if err := p.Start(); err != nil { // binds every frontend's Binds
		log.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p.Shutdown(ctx) // stops accepting, ends each connection after its response
	}()

	resp, err := http.Get("http://" + p.Addrs()[0].String() + "/")
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections() // lets Shutdown finish at once
	fmt.Print(resp.Status, "\n", string(body))
	srv := p.Backends()[0].Servers[0]
	fmt.Println(srv.Name, "requests sent:", srv.Stats.Sessions)
	// Output:
	// 200 OK
	// hello from web1
	// web1 requests sent: 1
}

// listenLoopback serves srv on a free 127.0.0.1 port and returns it.
func listenLoopback(srv *http.Server) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(ln)
	return ln.Addr().String()
}
