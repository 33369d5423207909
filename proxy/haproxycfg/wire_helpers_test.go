package haproxycfg

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy/internal/difftest"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// readHead reads one HTTP/1 head, its empty line included.
func readHead(br *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		l, err := br.ReadString('\n')
		sb.WriteString(l)
		if err != nil {
			return sb.String(), err
		}
		if l == "\r\n" {
			return sb.String(), nil
		}
	}
}

// readPast reads lines up to and with last (or to an error).
func readPast(br *bufio.Reader, last string) {
	for {
		l, err := br.ReadString('\n')
		if err != nil || l == last {
			return
		}
	}
}

// dialClient dials addr (2 s at most) for a scenario's client and sets
// the connection's deadline d ahead; it reports a failed dial and
// returns nil. The caller closes the connection.
func dialClient(t *testing.T, addr string, d time.Duration) net.Conn {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Error(err)
		return nil
	}
	c.SetDeadline(time.Now().Add(d))
	return c
}

// serverEnds collects what n servers report on seen, each waited for up
// to wait ("nothing" for one that says nothing), sorted.
func serverEnds(seen <-chan string, n int, wait time.Duration) []string {
	var out []string
	for range n {
		select {
		case s := <-seen:
			out = append(out, s)
		case <-time.After(wait):
			out = append(out, "nothing")
		}
	}
	sort.Strings(out)
	return out
}

// endOf names how a read ended: a FIN, a reset or something else.
func endOf(err error) string {
	switch {
	case err == nil || errors.Is(err, io.EOF):
		return "fin"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	}
	return err.Error()
}

// echoOnceServer reads once (16 bytes at most) on each connection,
// answers "echo:" and what it read, and closes.
func echoOnceServer(t *testing.T) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(3 * time.Second))
		b := make([]byte, 16)
		n, _ := c.Read(b)
		c.Write(append([]byte("echo:"), b[:n]...))
	})
}

// payloadClient connects, sends payload ("|" splits it in parts) each
// part 100 ms after the last (the first 100 ms after connecting), and
// says what came back and how the connection ended.
func payloadClient(t *testing.T, addr, payload string) string {
	c := dialClient(t, addr, 3*time.Second)
	if c == nil {
		return ""
	}
	defer c.Close()
	for _, p := range strings.Split(payload, "|") {
		time.Sleep(100 * time.Millisecond)
		c.Write([]byte(p))
	}
	b, err := io.ReadAll(c)
	return string(b) + " then " + endOf(err)
}

// keptClients are a test's kept-alive HTTP/1.1 clients of the proxy at
// addr, by name, each dialled on its first request (the test ends if
// that fails). close closes them all.
type keptClients struct {
	t    *testing.T
	addr string
	m    map[string]*keptClient
}

// keptClient is one of keptClients: its connection and its reader.
type keptClient struct {
	c net.Conn
	r *bufio.Reader
}

func newKeptClients(t *testing.T, addr string) *keptClients {
	return &keptClients{t: t, addr: addr, m: map[string]*keptClient{}}
}

// client is who's client, dialled now if it is new.
func (k *keptClients) client(who string) *keptClient {
	cl := k.m[who]
	if cl == nil {
		c, err := net.DialTimeout("tcp", k.addr, 2*time.Second)
		if err != nil {
			k.t.Fatal(err)
		}
		cl = &keptClient{c, bufio.NewReader(c)}
		k.m[who] = cl
	}
	return cl
}

func (k *keptClients) close() {
	for _, c := range k.m {
		c.c.Close()
	}
}

// get sends GET path on the connection (3 s to answer) and returns the
// answer's body.
func (cl *keptClient) get(path string) (string, error) {
	cl.c.SetDeadline(time.Now().Add(3 * time.Second))
	fmt.Fprintf(cl.c, "GET %s HTTP/1.1\r\nHost: h\r\n\r\n", path)
	resp, err := http.ReadResponse(cl.r, nil)
	if err != nil {
		return "", err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return string(b), nil
}

// h2Start opens an HTTP/2 connection on c as a client with prior
// knowledge (the preface, then empty SETTINGS) and returns its framer,
// which decodes header blocks.
func h2Start(c net.Conn) *http2.Framer {
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	c.Write([]byte(http2.ClientPreface))
	fr.WriteSettings()
	return fr
}

// exchangeText is difftest.Exchange of raw with fe (1 s idle wait), or
// its error's text.
func exchangeText(fe, raw string) string {
	resp, err := difftest.Exchange(fe, []byte(raw), time.Second)
	if err != nil {
		return err.Error()
	}
	return string(resp)
}

// h2cTransport speaks HTTP/2 in clear text (prior knowledge) and sends
// every connection to addr.
func h2cTransport(addr string) *http.Transport {
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	tr.Protocols = &p
	return tr
}
