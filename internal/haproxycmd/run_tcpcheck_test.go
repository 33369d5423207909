package haproxycmd

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// lineServer answers each connection's first line with reply and closes.
func lineServer(t *testing.T, reply string) string {
	t.Helper()
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		bufio.NewReader(c).ReadString('\n')
		c.Write([]byte(reply))
	})
}

// tlsServer completes TLS handshakes with a throw-away certificate.
func tlsServer(t *testing.T) string {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		t.Fatal(err)
	}
	return loopback.ServeEach(t, ln, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		c.(*tls.Conn).Handshake()
	})
}

// TestTCPChecksShowStatMatchHAProxy runs haproxy and gohaproxy with the
// same tcp-check and protocol-check backends and compares what `show
// stat` says of each server once checked: status, check_status,
// check_code, last_chk and check_desc.
func TestTCPChecksShowStatMatchHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy") // skips locally, fails under CI=true
	pong, nope, tlsAddr := lineServer(t, "+PONG\r\n"), lineServer(t, "-ERR nope\r\n"), tlsServer(t)
	closed := loopback.DeadAddr(t)
	backends := []struct{ name, lines, addr string }{
		{"tcpok", "option tcp-check\n    tcp-check send \"PING\\r\\n\"\n    tcp-check expect string +PONG", pong},
		{"tcpbad", "option tcp-check\n    tcp-check send \"PING\\r\\n\"\n    tcp-check expect string +PONG", nope},
		{"tcprefused", "option tcp-check\n    tcp-check connect\n    tcp-check send x", closed},
		{"redisok", "option redis-check", pong},
		{"redisbad", "option redis-check", nope},
		{"sslok", "option ssl-hello-chk", tlsAddr},
		{"mysqldown", "option mysql-check user haproxy", closed},
	}
	start := func(bin string) string {
		dir, bind := t.TempDir(), loopback.FreeAddr(t)
		var cfg strings.Builder
		fmt.Fprintf(&cfg, "global\n    stats socket %s/s.sock level admin\ndefaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n    bind %s\n    default_backend tcpok\n", dir, bind)
		for _, b := range backends {
			fmt.Fprintf(&cfg, "backend %s\n    %s\n    server s1 %s check inter 100ms\n", b.name, b.lines, b.addr)
		}
		path := filepath.Join(dir, "t.cfg")
		os.WriteFile(path, []byte(cfg.String()), 0o644)
		runQuiet(t, bin, path)
		loopback.WaitListen(t, bind)
		return filepath.Join(dir, "s.sock")
	}
	haSock, goSock := start(haproxyBin), start(gohaproxy)
	time.Sleep(700 * time.Millisecond) // several checks each: every server settled
	cols := func(sock string) map[string]string {
		out := map[string]string{}
		for _, l := range strings.Split(haproxytest.StatsCmd(t, sock, "show stat"), "\n") {
			f := strings.Split(l, ",")
			if len(f) > 65 && f[1] == "s1" {
				out[f[0]] = fmt.Sprintf("status=%s check_status=%s check_code=%s last_chk=%q check_desc=%q", f[17], strings.TrimPrefix(f[36], "* "), f[37], f[56], f[65]) // "* ": a check in progress, timing
			}
		}
		return out
	}
	// A check running at the instant of `show stat` shows a blank
	// last_chk in HAProxy: read both again until they agree (bounded).
	var problems []string
	for try := 0; try < 20; try++ {
		want, got := cols(haSock), cols(goSock)
		problems = nil
		for _, b := range backends {
			if want[b.name] == "" || want[b.name] != got[b.name] {
				problems = append(problems, fmt.Sprintf("%s:\nhaproxy %s\n   goha %s", b.name, want[b.name], got[b.name]))
			}
		}
		if len(problems) == 0 {
			break
		}
		time.Sleep(150 * time.Millisecond)
	}
	for _, p := range problems {
		t.Error(p)
	}
}
