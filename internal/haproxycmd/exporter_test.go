package haproxycmd

import (
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestPrometheusHAProxyExporter: Debian's prometheus-haproxy-exporter, a
// real client of the stats socket (`show stat` CSV), exports the same
// series from gohaproxy as from HAProxy: the same metric names and labels.
func TestPrometheusHAProxyExporter(t *testing.T) {
	exporter := testenv.LookPath(t, "prometheus-haproxy-exporter")
	haproxy := testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "server1")
	var series [][]string
	for _, bin := range []string{gohaproxy, haproxy} {
		dir := t.TempDir()
		sock := filepath.Join(dir, "s.sock")
		bind := loopback.FreeAddr(t)
		cfg := fmt.Sprintf("global\n stats socket %s\ndefaults\n mode http\n timeout client 5s\n timeout server 5s\n timeout connect 1s\n"+
			"frontend fe\n bind %s\n default_backend be\nbackend be\n server s1 %s\n server s2 %s\n", sock, bind, web.Addr, web.Addr)
		startWithConfig(t, bin, cfg, bind)
		haproxytest.StatsCmd(t, sock, "show info") // the socket is up
		loopback.Get(t, bind)
		listen := loopback.FreeAddr(t)
		cmd := exec.Command(exporter, "--web.listen-address="+listen, "--haproxy.scrape-uri=unix:"+sock)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		loopback.WaitListen(t, listen)
		var body string
		for try := 0; try < 20; try++ {
			resp, err := http.Get("http://" + listen + "/metrics")
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if body = string(b); strings.Contains(body, "haproxy_up 1") {
					break
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !strings.Contains(body, "haproxy_up 1") {
			t.Fatalf("%s: the exporter does not see the proxy up:\n%s", bin, body)
		}
		series = append(series, seriesNames(body))
	}
	if len(series[0]) < 50 {
		t.Errorf("gohaproxy: only %d haproxy_* series", len(series[0]))
	}
	if a, b := strings.Join(series[0], "\n"), strings.Join(series[1], "\n"); a != b {
		t.Errorf("series differ (%d from gohaproxy, %d from haproxy)\ngohaproxy:\n%s\nhaproxy:\n%s", len(series[0]), len(series[1]), a, b)
	}
}

// seriesNames lists the haproxy_* series (name and labels, no value);
// haproxy_version_info's labels (the version strings) are left out.
func seriesNames(body string) []string {
	re := regexp.MustCompile(`^(haproxy_[a-z_]+(\{[^}]*\})?) `)
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			if strings.HasPrefix(m[1], "haproxy_version_info{") {
				m[1] = "haproxy_version_info"
			}
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}
