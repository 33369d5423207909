package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// idleClient is one kept-alive client connection and its reader.
type idleClient struct {
	c  net.Conn
	br *bufio.Reader
}

// roundTrip sends a GET on the connection and reads the whole response.
func (ic *idleClient) roundTrip(deadline time.Time) (string, error) {
	ic.c.SetDeadline(deadline)
	defer ic.c.SetDeadline(time.Time{})
	if _, err := io.WriteString(ic.c, "GET / HTTP/1.1\r\nHost: idle\r\n\r\n"); err != nil {
		return "", err
	}
	resp, err := http.ReadResponse(ic.br, nil)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.Close {
		return "", fmt.Errorf("proxy closes a keep-alive connection: %v", resp.Header)
	}
	return fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b))), nil
}

// parallel runs f(i) for i in [0,n) on a bounded number of goroutines and
// returns the first error.
func parallel(n, workers int, f func(i int) error) error {
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
		next  = make(chan int)
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("#%d: %w", i, err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		mu.Lock()
		stop := first != nil
		mu.Unlock()
		if stop {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// waitInfoField polls `show info` until field equals want (bounded).
func waitInfoField(t *testing.T, sock, field, want string, wait time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		got := haproxytest.ShowInfoField(t, sock, field)
		if got == want || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The proof: 10,000 idle keep-alive client connections held by the
// gohaproxy binary under global maxconn 10000. Each connection made one
// request and then idles; all stay open and answer a second request; the
// stats socket counts 10000 current connections; a connection beyond
// maxconn waits in the accept queue (not refused, not answered) and is
// served once one of the 10,000 closes.
//
// Here the hard descriptor limit is 20000 and cannot be raised, below the
// 2 x 10000 + 28 HAProxy sizes for this config: as with HAProxy, the
// config needs `no strict-limits` and gohaproxy warns. The server side is
// closed after each response (`option http-server-close`), so holding the
// clients takes one descriptor each.
func TestTenThousandIdleClients(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 connections")
	}
	const n = 10000
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur < n+500 {
		testenv.Missing(t, fmt.Sprintf("descriptor limit of the test process too low for %d clients: %+v %v", n, rl, err))
	}
	t.Run("gohaproxy", func(t *testing.T) { holdIdleClients(t, gohaproxyBin(t), n, rl) })
	// The same expectations hold for the reference, whose RSS is logged
	// for comparison.
	if hp, ok := testenv.Optional(t, "haproxy"); ok {
		t.Run("haproxy", func(t *testing.T) { holdIdleClients(t, hp, n, rl) })
	}
}

// holdIdleClients runs bin on the idle-clients config and checks what
// TestTenThousandIdleClients describes.
func holdIdleClients(t *testing.T, bin string, n int, rl syscall.Rlimit) {
	web := loopback.StartWeb(t, "server1")
	dir := t.TempDir()
	bind := loopback.FreeAddr(t)
	sock := filepath.Join(dir, "stats")
	cfgPath := filepath.Join(dir, "idle.cfg")
	cfg := fmt.Sprintf(`global
    maxconn %d
    no strict-limits
    stats socket %s mode 600 level admin
defaults
    mode http
    option http-server-close
    timeout connect 5s
    timeout client 2m
    timeout server 30s
    timeout http-request 30s
    timeout http-keep-alive 2m
frontend fe
    bind %s
    default_backend be
backend be
    server s1 %s
`, n, sock, bind, web.Addr)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	cmd := exec.Command(bin, "-db", "-f", cfgPath)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	loopback.WaitListen(t, bind)

	// The limit warning, as HAProxy prints it for the same config.
	maxsock := 2*n + 28 // reserve 26 + one listener + one stats socket
	out, _ := os.ReadFile(stderr.Name())
	// The alert can follow the listener by a moment (seen once under a
	// loaded CI run): wait for it, bounded.
	for i := 0; i < 100 && rl.Max < uint64(maxsock) && !strings.Contains(string(out), "] FD limit ("); i++ {
		time.Sleep(50 * time.Millisecond)
		out, _ = os.ReadFile(stderr.Name())
	}
	// HAProxy names itself by argv[0] ("[/usr/sbin/haproxy.main()]");
	// gohaproxy always says "haproxy", as in its other startup messages.
	self := "haproxy"
	if filepath.Base(bin) == "haproxy" {
		self = bin
	}
	if rl.Max < uint64(maxsock) {
		for _, want := range []string{
			fmt.Sprintf("[WARNING]  (%d) : [%s.main()] Cannot raise FD limit to %d, limit is %d.\n", pid, self, maxsock, rl.Max),
			fmt.Sprintf("[ALERT]    (%d) : [%s.main()] FD limit (%d) too low for maxconn=%d/maxsock=%d. Please raise 'ulimit-n' to %d or more to avoid any trouble.\n", pid, self, rl.Max, n, maxsock, maxsock),
		} {
			if !strings.Contains(string(out), want) {
				t.Errorf("stderr lacks %q:\n%s", want, out)
			}
		}
	}
	if got := haproxytest.ShowInfoField(t, sock, "Maxconn"); got != strconv.Itoa(n) {
		t.Fatalf("show info Maxconn: %q", got)
	}
	// As HAProxy shows it for this config here: Maxsock what it wanted,
	// Ulimit-n what it got.
	wantUlimit := uint64(maxsock)
	if rl.Max < uint64(maxsock) {
		wantUlimit = rl.Max
	}
	if got := haproxytest.ShowInfoField(t, sock, "Maxsock"); got != strconv.Itoa(maxsock) {
		t.Errorf("show info Maxsock: %q, want %d", got, maxsock)
	}
	if got := haproxytest.ShowInfoField(t, sock, "Ulimit-n"); got != strconv.FormatUint(wantUlimit, 10) {
		t.Errorf("show info Ulimit-n: %q, want %d", got, wantUlimit)
	}
	rssBefore := procStatus(t, pid, "VmRSS")
	t.Logf("%s before the clients: VmRSS %s kB, fds %d", filepath.Base(bin), rssBefore, countFDs(t, pid))

	deadline := time.Now().Add(90 * time.Second)
	clients := make([]*idleClient, n)
	defer func() {
		for _, ic := range clients {
			if ic != nil {
				ic.c.Close()
			}
		}
	}()
	start := time.Now()
	err = parallel(n, 32, func(i int) error {
		c, err := net.DialTimeout("tcp", bind, 10*time.Second)
		if err != nil {
			return err
		}
		ic := &idleClient{c: c, br: bufio.NewReaderSize(c, 1024)}
		clients[i] = ic
		got, err := ic.roundTrip(deadline)
		if err == nil && got != "200 server1" {
			err = fmt.Errorf("first request answered %q", got)
		}
		return err
	})
	if err != nil {
		t.Fatalf("opening %d clients: %v", n, err)
	}
	t.Logf("%d clients connected and answered in %v", n, time.Since(start).Round(time.Millisecond))
	if got := waitInfoField(t, sock, "CurrConns", strconv.Itoa(n), 10*time.Second); got != strconv.Itoa(n) {
		t.Fatalf("show info CurrConns = %q with %d idle clients", got, n)
	}
	t.Logf("%s holding %d idle clients: VmRSS %s kB, fds %d", filepath.Base(bin), n, procStatus(t, pid, "VmRSS"), countFDs(t, pid))
	// gohaproxy parks a connection idle for 250 ms (no goroutine, no
	// transaction state) and gives the burst's memory back once the
	// parker is quiet for a second: the memory of a steady idle state,
	// for comparison.
	time.Sleep(3 * time.Second)
	rss := procStatus(t, pid, "VmRSS")
	t.Logf("%s after 3 s more: VmRSS %s kB", filepath.Base(bin), rss)
	if filepath.Base(bin) != "haproxy" {
		settledIdleRSS(t, pid, rssBefore, rss, n)
	}

	// Every one of them is still open and usable.
	start = time.Now()
	if err := parallel(n, 32, func(i int) error {
		got, err := clients[i].roundTrip(deadline)
		if err == nil && got != "200 server1" {
			err = fmt.Errorf("second request answered %q", got)
		}
		return err
	}); err != nil {
		t.Fatalf("second request on the idle clients: %v", err)
	}
	t.Logf("second request on all %d in %v", n, time.Since(start).Round(time.Millisecond))

	// One more waits in the accept queue: connected by the kernel, its
	// request unanswered, not refused.
	extra, err := net.DialTimeout("tcp", bind, 5*time.Second)
	if err != nil {
		t.Fatalf("connection beyond maxconn refused: %v", err)
	}
	xc := &idleClient{c: extra, br: bufio.NewReader(extra)}
	defer extra.Close()
	if _, err := io.WriteString(extra, "GET / HTTP/1.1\r\nHost: idle\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	extra.SetReadDeadline(time.Now().Add(time.Second))
	var ne net.Error
	if _, err := xc.br.Peek(1); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("beyond maxconn: want no answer while %d are held, got %v", n, err)
	}
	if got := haproxytest.ShowInfoField(t, sock, "CurrConns"); got != strconv.Itoa(n) {
		t.Errorf("CurrConns %q beyond maxconn", got)
	}
	// One idle client leaves: the waiting one is accepted and served.
	clients[0].c.Close()
	clients[0] = nil
	extra.SetReadDeadline(time.Now().Add(15 * time.Second))
	resp, err := http.ReadResponse(xc.br, nil)
	if err != nil {
		t.Fatalf("queued connection not served after a slot freed: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b))); got != "200 server1" {
		t.Errorf("queued connection answered %q", got)
	}
	if got := waitInfoField(t, sock, "CurrConns", strconv.Itoa(n), 5*time.Second); got != strconv.Itoa(n) {
		t.Errorf("CurrConns %q after the swap, want %d", got, n)
	}
}

// maxIdleKB is the most gohaproxy's RSS may grow by per idle client once
// settled: measured 3.1-3.2 KB on 2026-12-07 (HAProxy 2.6.12: 1.2 KB),
// with a margin for a loaded machine; the growth spread over the merges
// of 2026-12-06 had taken it to 11 KB.
const maxIdleKB = 4.5

// settledIdleRSS checks gohaproxy's RSS growth with n idle clients
// against maxIdleKB, waiting (15 s at most) for the memory the burst
// used to be given back when it is above: on a loaded machine the burst's
// last parks, and the quiet second after them, may come later.
func settledIdleRSS(t *testing.T, pid int, before, now string, n int) {
	t.Helper()
	kb := func(v string) float64 { f, _ := strconv.ParseFloat(v, 64); return f }
	limit := kb(before) + maxIdleKB*float64(n)
	deadline := time.Now().Add(15 * time.Second)
	for kb(now) > limit && time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		now = procStatus(t, pid, "VmRSS")
	}
	if kb(now) > limit {
		t.Errorf("VmRSS %s kB with %d idle clients, %s kB before them: more than %.1f KB per client", now, n, before, maxIdleKB)
	} else {
		t.Logf("settled: %.1f KB per idle client (at most %.1f)", (kb(now)-kb(before))/float64(n), maxIdleKB)
	}
}

// countFDs is the number of open descriptors of process pid.
func countFDs(t *testing.T, pid int) int {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}
