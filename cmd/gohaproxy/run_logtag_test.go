package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// logHeaders runs bin with a global log-tag and log-send-hostname and a
// frontend with its own log-tag, sends one GET to each frontend and
// returns the syslog headers of the two traffic lines (date and pid
// masked), sorted.
func logHeaders(t *testing.T, bin string) []string {
	t.Helper()
	web := startWeb(t, "server1")
	syslog, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer syslog.Close()
	dir := t.TempDir()
	aBind, bBind := freePort(t), freePort(t)
	cfgPath := filepath.Join(dir, "tag.cfg")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`global
    log %s local2
    log-tag gtag
    log-send-hostname lbhost
defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend tagged
    bind %s
    log-tag ftag
    default_backend ok
frontend plain
    bind %s
    default_backend ok
backend ok
    server web %s
`, syslog.LocalAddr(), aBind, bBind, web.addr)), 0o644)
	cmd := exec.Command(bin, "-db", "-q", "-f", cfgPath)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitListen(t, aBind)
	waitListen(t, bBind)
	get(t, aBind)
	get(t, bBind)
	header := regexp.MustCompile(`^(<\d+>)[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d (\S+ \S+)\[\d+\]: .* (tagged|plain) `)
	var out []string
	buf := make([]byte, 4096)
	deadline := time.Now().Add(5 * time.Second)
	for len(out) < 2 {
		syslog.SetReadDeadline(deadline)
		n, err := syslog.Read(buf)
		if err != nil {
			break
		}
		if m := header.FindStringSubmatch(string(buf[:n])); m != nil {
			out = append(out, m[1]+"DATE "+m[2]+"[PID]: "+m[3])
		}
	}
	sort.Strings(out)
	return out
}

// log-tag (global and per proxy) and log-send-hostname shape the syslog
// header as in HAProxy 2.6 (compared with the real haproxy when present).
func TestLogTagAndHostname(t *testing.T) {
	want := []string{"<150>DATE lbhost ftag[PID]: tagged", "<150>DATE lbhost gtag[PID]: plain"}
	got := logHeaders(t, gohaproxyBin(t))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("gohaproxy headers %q, want %q", got, want)
	}
	if hp, err := exec.LookPath("haproxy"); err == nil {
		if real := logHeaders(t, hp); strings.Join(real, "\n") != strings.Join(want, "\n") {
			t.Errorf("haproxy headers %q, want %q", real, want)
		}
	}
}
