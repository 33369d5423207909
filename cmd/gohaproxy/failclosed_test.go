package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// failClosedRow is one row of issue 16's table: a configuration using a
// feature, the request that shows the feature, and what HAProxy 2.6
// answers. Until goha implements the feature it must refuse the
// configuration (-c and at start); once implemented, goha and HAProxy get
// the same probe on the same file and must both give that answer.
type failClosedRow struct {
	file        string // testdata/failclosed/<file>; lines marked "# unsupported" must be named
	probe       func(t *testing.T, addr string) string
	want        string // HAProxy's answer, as probe words it
	implemented bool   // goha runs the file and answers as HAProxy
}

var failClosedRows = []failClosedRow{
	{"01-deny-status.cfg", statusOf("GET", "/admin"), "403", true},
	{"02-auth.cfg", statusOf("GET", "/"), "401", true},
	{"03-url-dec.cfg", statusOf("GET", "/%61dmin"), "403", true},
	{"04-rate-limit.cfg", statusesOf(5, "/"), "200 200 200 429 429", true},
	{"05-redirect-scheme.cfg", redirectOf("/x?y"), "301 https://127.0.0.1/x?y", true},
	{"06-tcp-reject.cfg", closedWithoutAnswer, "closed without a byte", true},
	{"07-return.cfg", statusOf("GET", "/health"), "204", true},
	{"08-stats-page.cfg", statusOf("GET", "/stats"), "401", true},
	{"09-tarpit.cfg", tarpitOf("/t"), "500 after >= 1s", true},
	{"10-bind-ssl.cfg", httpsStatusOf("/"), "200 over TLS", true},
	{"11-bind-ssl-alpn-h2.cfg", h2StatusOf("/"), "200 over HTTP/2.0", true},
	// path on a tcp stream: both parse its bytes as an HTTP request
	{"12-tcp-http-fetch.cfg", closedWithoutAnswerTo("/admin"), "closed without a byte", true},
}

func TestFailClosedRows(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	bin := gohaproxyBin(t)
	cert := selfSignedPEM(t)
	for _, row := range failClosedRows {
		t.Run(strings.TrimSuffix(row.file, ".cfg"), func(t *testing.T) {
			t.Parallel() // each row its own file, ports and daemons
			path, err := filepath.Abs(filepath.Join("../../testdata/failclosed", row.file))
			if err != nil {
				t.Fatal(err)
			}
			be := loopback.StartWeb(t, "be")
			fe := loopback.FreeAddr(t)
			env := append(os.Environ(), "FE_PORT="+portOf(fe), "BE_PORT="+portOf(be.Addr), "CERT="+cert)

			if row.implemented {
				// goha: -c accepts the file, the daemon answers as HAProxy.
				cmd := exec.Command(bin, "-c", "-f", path)
				cmd.Env = env
				if out, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(out), "not supported by goha") {
					t.Fatalf("gohaproxy -c: %v\n%s", err, out)
				}
				if got := probeDaemon(t, exec.Command(bin, "-db", "-f", path), env, fe, row.probe); got != row.want {
					t.Errorf("goha answered %q, HAProxy's answer is %q", got, row.want)
				}
			} else {
				checkRefused(t, bin, path, env, fe)
			}

			// HAProxy, same file, same request: the answer goha must give.
			if got := probeDaemon(t, exec.Command(haproxyBin, "-db", "-q", "-f", path), env, fe, row.probe); got != row.want {
				t.Errorf("HAProxy answered %q, the table says %q", got, row.want)
			}
		})
	}
}

// checkRefused: -c names every marked line and exits 1; the daemon
// refuses to start and never listens.
func checkRefused(t *testing.T, bin, path string, env []string, fe string) {
	t.Helper()
	cmd := exec.Command(bin, "-c", "-f", path)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if code := exitStatus(err); code != 1 {
		t.Errorf("gohaproxy -c: exit %d, want 1\n%s", code, out)
	}
	for _, line := range markedLines(t, path) {
		want := fmt.Sprintf("[ALERT]    (%d) : config : parsing [%s:%d] : ", cmd.ProcessState.Pid(), path, line)
		if !strings.Contains(string(out), want) || !strings.Contains(string(out), "not supported by goha") {
			t.Errorf("gohaproxy -c does not name line %d as not supported:\n%s", line, out)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	run := exec.CommandContext(ctx, bin, "-db", "-f", path)
	run.Env = env
	out, err = run.CombinedOutput()
	if code := exitStatus(err); code != 1 || !strings.Contains(string(out), "not supported by goha") {
		t.Errorf("gohaproxy -db: exit %d, want 1 with the alert\n%s", code, out)
	}
	if c, err := net.DialTimeout("tcp", fe, time.Second); err == nil {
		c.Close()
		t.Errorf("something listens on %s after the refusal", fe)
	}
}

// probeDaemon starts cmd (either proxy, on the row's file), waits for it
// to listen on fe, probes it and stops it (by its PID).
func probeDaemon(t *testing.T, cmd *exec.Cmd, env []string, fe string, probe func(*testing.T, string) string) string {
	t.Helper()
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	loopback.WaitListen(t, fe)
	return probe(t, fe)
}

// TestAllowUnsupportedRuns: with the override the daemon starts and serves
// without the feature, after a warning naming it.
func TestAllowUnsupportedRuns(t *testing.T) {
	path, _ := filepath.Abs("../../testdata/failclosed/allow-unsupported.cfg")
	be := loopback.StartWeb(t, "be")
	fe := loopback.FreeAddr(t)
	for _, how := range []string{"flag", "env"} {
		args := []string{"-db", "-f", path}
		env := append(os.Environ(), "FE_PORT="+portOf(fe), "BE_PORT="+portOf(be.Addr))
		if how == "flag" {
			args = append([]string{"--allow-unsupported"}, args...)
		} else {
			env = append(env, "GOHA_ALLOW_UNSUPPORTED=1")
		}
		cmd := exec.Command(gohaproxyBin(t), args...)
		cmd.Env = env
		logPath := filepath.Join(t.TempDir(), "stderr")
		logFile, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = logFile
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		loopback.WaitListen(t, fe)
		got := statusOf("GET", "/")(t, fe)
		cmd.Process.Kill()
		cmd.Wait()
		logFile.Close()
		if got != "200" {
			t.Errorf("%s: GET / answered %s, want the backend's 200 (the rule is not run)", how, got)
		}
		stderr, _ := os.ReadFile(logPath)
		want := fmt.Sprintf("[WARNING]  (%d) : config : parsing [%s:12] : 'http-request send-spoe-group' is not supported by goha: running without it (--allow-unsupported).\n", cmd.Process.Pid, path)
		if !strings.Contains(string(stderr), want) || strings.Contains(string(stderr), "[ALERT]") {
			t.Errorf("%s: stderr lacks %q:\n%s", how, want, stderr)
		}
	}
}

// markedLines are the 1-based numbers of the lines ending in "# unsupported".
func markedLines(t *testing.T, path string) []int {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for i, l := range strings.Split(string(data), "\n") {
		if strings.HasSuffix(strings.TrimSpace(l), "# unsupported") {
			out = append(out, i+1)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s marks no line", path)
	}
	return out
}

func exitStatus(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func client() *http.Client {
	return &http.Client{Timeout: 5 * time.Second,
		Transport:     &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func statusOf(method, target string) func(*testing.T, string) string {
	return func(t *testing.T, addr string) string {
		req, _ := http.NewRequest(method, "http://"+addr+target, nil)
		resp, err := client().Do(req)
		if err != nil {
			return "error: " + err.Error()
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return fmt.Sprint(resp.StatusCode)
	}
}

func statusesOf(n int, target string) func(*testing.T, string) string {
	return func(t *testing.T, addr string) string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, statusOf("GET", target)(t, addr))
		}
		return strings.Join(out, " ")
	}
}

func redirectOf(target string) func(*testing.T, string) string {
	return func(t *testing.T, addr string) string {
		req, _ := http.NewRequest("GET", "http://"+addr+target, nil)
		req.Host = "127.0.0.1"
		resp, err := client().Do(req)
		if err != nil {
			return "error: " + err.Error()
		}
		resp.Body.Close()
		return fmt.Sprint(resp.StatusCode, " ", resp.Header.Get("Location"))
	}
}

func closedWithoutAnswer(t *testing.T, addr string) string {
	return closedWithoutAnswerTo("/")(t, addr)
}

// closedWithoutAnswerTo is closedWithoutAnswer for a GET of target.
func closedWithoutAnswerTo(target string) func(*testing.T, string) string {
	return func(t *testing.T, addr string) string {
		return closedAfter(addr, "GET "+target+" HTTP/1.1\r\nHost: t\r\n\r\n")
	}
}

func closedAfter(addr, req string) string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if errors.Is(err, syscall.ECONNRESET) {
		return "closed without a byte" // closed before connect(2) returned
	}
	if err != nil {
		return "error: " + err.Error()
	}
	defer c.Close()
	c.Write([]byte(req))
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	n, err := c.Read(make([]byte, 1))
	if n == 0 && err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		return "closed without a byte"
	}
	return fmt.Sprintf("read %d byte(s), %v", n, err)
}

func tarpitOf(target string) func(*testing.T, string) string {
	return func(t *testing.T, addr string) string {
		start := time.Now()
		st := statusOf("GET", target)(t, addr)
		if time.Since(start) >= time.Second {
			return st + " after >= 1s"
		}
		return st + " after " + time.Since(start).String()
	}
}

func httpsStatusOf(target string) func(*testing.T, string) string {
	return func(t *testing.T, addr string) string {
		resp, err := client().Get("https://" + addr + target)
		if err != nil {
			return "error: " + err.Error()
		}
		resp.Body.Close()
		if resp.TLS == nil {
			return fmt.Sprint(resp.StatusCode, " in clear")
		}
		return fmt.Sprint(resp.StatusCode, " over TLS")
	}
}

// h2StatusOf fetches https://addr/target offering h2 by ALPN and tells the
// protocol the answer came in.
func h2StatusOf(target string) func(*testing.T, string) string {
	return func(t *testing.T, addr string) string {
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{ForceAttemptHTTP2: true,
			DisableKeepAlives: true, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
		resp, err := c.Get("https://" + addr + target)
		if err != nil {
			return "error: " + err.Error()
		}
		resp.Body.Close()
		return fmt.Sprint(resp.StatusCode, " over ", resp.Proto)
	}
}

// selfSignedPEM writes a certificate and its key, in one PEM file as
// HAProxy's `crt` takes them, and returns its path.
func selfSignedPEM(t *testing.T) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cert.pem")
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})...)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
