package haproxycmd

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// `pool-max-conn 0`: no server connection is kept once its response is
// out, not even for the same client's next request: six clients and a
// client sending three requests on one connection make nine connections
// to the server through HAProxy and through goha.
func TestPoolMaxConnZeroMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	var conns atomic.Int64
	web := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		conns.Add(1)
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			io.Copy(io.Discard, req.Body)
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
		}
	})
	count := func(ha bool) int64 {
		_, _, bind := serverOptsDaemon(t, ha, "", fmt.Sprintf("backend be\n    server s1 %s pool-max-conn 0\n", web))
		conns.Store(0)
		for i := 0; i < 6; i++ {
			loopback.Get(t, bind)
		}
		c, err := net.Dial("tcp", bind)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for i := 0; i < 3; i++ {
			fmt.Fprintf(c, "GET /k%d HTTP/1.1\r\nHost: h\r\n\r\n", i)
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
		}
		time.Sleep(100 * time.Millisecond)
		return conns.Load()
	}
	if ha, goha := count(true), count(false); ha != goha || ha != 9 {
		t.Errorf("server connections: haproxy %d, goha %d (want 9)", ha, goha)
	}
}
