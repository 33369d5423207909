package haproxycmd

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// The stats page's "Health: force UP|NOLB|DOWN" and "Agent: force
// UP|DOWN" actions: the same redirects (DONE, PART, ERRP for a server
// without that check) and server states as HAProxy, and the same
// "changed from Web interface" lines on stderr.
func TestStatsPageForceActionsMatchHAProxy(t *testing.T) {
	statsFormsMatch(t, 5, "s=s1&action=hdown&b=stats", "s=s1&action=hnolb&b=stats", "s=s1&s=s3&action=hrunn&b=stats",
		"s=s3&action=hdown&b=stats", "s=s2&action=adown&b=stats", "s=s1&action=adown&b=stats", "s=s2&action=arunn&b=stats",
		"s=s1&s=s2&action=hdown&b=stats", "s=s1&action=hrunn&b=stats")
}

// The form's "disable|enable checks" (health and agent) and "Kill
// Sessions" actions: the same redirects (DONE when only the checked
// servers count, NONE for an agent action on a disabled agent) and the
// same rows, a disabled check showing as "no check" with its columns
// empty, a forced state kept while checks are off.
func TestStatsPageCheckActionsMatchHAProxy(t *testing.T) {
	statsFormsMatch(t, 1, "s=s1&s=s2&s=s3&action=dhlth&b=stats", "s=s1&s=s2&s=s3&action=dagent&b=stats",
		"s=s2&action=arunn&b=stats", "s=s2&action=adown&b=stats", "s=s1&action=hdown&b=stats",
		"s=s3&action=dhlth&b=stats", "s=s2&s=s3&action=eagent&b=stats", "s=s1&s=s3&action=shutdown&b=stats",
		"s=s1&s=s2&s=s3&action=ehlth&b=stats")
}

// statsFormsMatch posts each form to the stats page of HAProxy and of
// goha (same configuration) and compares the redirects, the servers'
// rows after each, and at the end the "Web interface" lines on stderr
// (haproxy must have logged at least minLines of them).
func statsFormsMatch(t *testing.T, minLines int, forms ...string) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "web")
	agent := startFakeAgent(t)
	agent.set("up\n")
	_, agentPort, _ := net.SplitHostPort(agent.addr)
	type run struct {
		page, sock string
		errs       *haproxytest.Buffer
	}
	start := func(ha bool) run {
		dir := t.TempDir()
		r := run{page: loopback.FreeAddr(t), sock: filepath.Join(dir, "s.sock")}
		path := filepath.Join(dir, "f.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(`global
    stats socket %s level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen stats
    bind %s
    stats enable
    stats uri /st
    stats admin if TRUE
    server s1 %s check inter 10s
    server s2 %s agent-check agent-port %s agent-inter 10s
    server s3 %s
`, r.sock, r.page, web.Addr, web.Addr, agentPort, web.Addr)), 0o644)
		r.errs = runLogged(t, ha, path)
		loopback.WaitListen(t, r.page)
		return r
	}
	runs := [2]run{start(true), start(false)}
	time.Sleep(300 * time.Millisecond)
	cols := []string{"svname", "status", "check_status", "check_rise", "check_fall", "agent_status", "agent_rise", "weight"}
	for _, form := range forms {
		var loc [2]string
		var rows [2][]string
		for i, r := range runs {
			req, _ := http.NewRequest("POST", "http://"+r.page+"/st", strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			c := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc[i] = fmt.Sprint(resp.StatusCode, " ", resp.Header.Get("Location"))
			rows[i] = statColumns(t, haproxytest.StatsCmd(t, r.sock, "show stat"), cols)
		}
		if loc[0] != loc[1] || !strings.HasPrefix(loc[0], "303 ") {
			t.Errorf("POST %s: haproxy %q, goha %q", form, loc[0], loc[1])
		}
		diffLines(t, "show stat after POST "+form, rows[0], rows[1])
	}
	time.Sleep(100 * time.Millisecond)
	pick := func(out string) []string {
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if i := strings.Index(l, ") : "); i >= 0 && (strings.Contains(l, "Web interface") || strings.Contains(l, "no server available")) {
				keep = append(keep, l[i+4:])
			}
		}
		return keep
	}
	ha, goha := pick(runs[0].errs.String()), pick(runs[1].errs.String())
	if len(ha) < minLines {
		t.Fatalf("haproxy logged only %q", ha)
	}
	diffLines(t, "stderr", ha, goha)
}
