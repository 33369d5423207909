package haproxycmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// formatsPair runs the same configuration (a frontend, a listen section,
// a checked backend with a dead server and a backup) under haproxy and in
// this process, sends the same requests to both and returns their stats
// sockets.
func formatsPair(t *testing.T) (haSock, goSock string) {
	p := startFormatsPair(t)
	return p.haSock, p.goSock
}

// pair is a configuration running under haproxy and in this process.
type pair struct{ haBind, goBind, haSock, goSock string }

func startFormatsPair(t *testing.T) pair {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "web")
	dead := loopback.DeadAddr(t)
	start := func(bin string) (string, string) {
		dir, bind, bind2 := t.TempDir(), loopback.FreeAddr(t), loopback.FreeAddr(t)
		path := filepath.Join(dir, "f.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(adminHead+`    timeout check 2s
frontend fe
    bind %s
    default_backend be
backend be
    option httpchk GET /
    server s1 %s check inter 200ms
    server s2 %s check inter 200ms
    server s3 %s backup
listen tcpl
    mode tcp
    bind %s
    server t1 %s
`, dir, bind, web.Addr, dead, web.Addr, bind2, web.Addr)), 0o644)
		runQuiet(t, bin, path)
		loopback.WaitListen(t, bind)
		return bind, filepath.Join(dir, "s.sock")
	}
	haBind, haSock := start("haproxy")
	goBind, goSock := start(gohaproxy)
	time.Sleep(1200 * time.Millisecond) // s2's checks fail: DOWN on both
	for i := 0; i < 3; i++ {
		loopback.Get(t, haBind)
		loopback.Get(t, goBind)
	}
	return pair{haBind, goBind, haSock, goSock}
}

// jsonField is one field of HAProxy's json stat/info output.
type jsonField struct {
	ObjType string `json:"objType"`
	ProxyID *int   `json:"proxyId"`
	ID      *int   `json:"id"`
	Field   struct {
		Pos  int    `json:"pos"`
		Name string `json:"name"`
	} `json:"field"`
	ProcessNum int `json:"processNum"`
	Tags       struct {
		Origin, Nature, Scope string
	} `json:"tags"`
	Value struct {
		Type  string `json:"type"`
		Value any    `json:"value"`
	} `json:"value"`
}

// shape is a field without its value, plus the value where it does not
// depend on timing or on the build (names, states, weights).
// Not compared: Version and Release_date (Debian's package string against
// goha's 2.6.12), and the frontend's req_tot/ereq, which HAProxy also
// (and hrsp_4xx) count for the test harness's connect-and-close listen
// probe, and the
// rates and 2xx counts, which HAProxy updates at a different moment; the
// h1_* counters goha does not keep (they read 0).
func (f jsonField) shape() string {
	s := fmt.Sprintf("%s/%v/%v %d.%s %d %s:%s:%s %s", f.ObjType, deref(f.ProxyID), deref(f.ID), f.Field.Pos, f.Field.Name,
		f.ProcessNum, f.Tags.Origin, f.Tags.Nature, f.Tags.Scope, f.Value.Type)
	switch f.Field.Name {
	case "pxname", "svname", "status", "addr", "mode", "algo", "weight", "act", "bck",
		"Name", "Nbproc", "Process_num", "Maxconn", "Stopping", "Tainted":
		s += fmt.Sprintf(" = %v", f.Value.Value)
	case "check_status":
		// HAProxy prefixes "* " while a check is running: timing, not state
		s += fmt.Sprintf(" = %v", strings.TrimPrefix(fmt.Sprint(f.Value.Value), "* "))
	}
	return s
}

func deref(p *int) any {
	if p == nil {
		return "-"
	}
	return *p
}

func statJSONShapes(t *testing.T, out string) []string {
	t.Helper()
	var rows [][]jsonField
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("show stat json: %v\n%s", err, out)
	}
	var s []string
	for _, r := range rows {
		for _, f := range r {
			s = append(s, f.shape())
		}
		s = append(s, "--")
	}
	return s
}

func infoJSONShapes(t *testing.T, out string) []string {
	t.Helper()
	var fields []jsonField
	if err := json.Unmarshal([]byte(out), &fields); err != nil {
		t.Fatalf("show info json: %v\n%s", err, out)
	}
	var s []string
	for _, f := range fields {
		s = append(s, f.shape())
	}
	return s
}

func diffLines(t *testing.T, what string, want, got []string) {
	t.Helper()
	for i := 0; i < max(len(want), len(got)); i++ {
		w, g := "(none)", "(none)"
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			t.Errorf("%s: item %d\nhaproxy %s\n   goha %s", what, i, w, g)
			return
		}
	}
}

// show stat json, with filters and options, has HAProxy 2.6's rows,
// fields, positions, tags and types, and the same values where they do
// not depend on timing; it ends as HAProxy's does.
func TestShowStatJSONMatchHAProxy(t *testing.T) {
	haSock, goSock := formatsPair(t)
	for _, cmd := range []string{"show stat json", "show stat typed json", "show stat json up", "show stat no-maint json",
		"show stat 3 4 -1 json", "show stat be 2 -1 json", "show stat 99 -1 -1 json"} {
		ha, goha := haproxytest.StatsCmd(t, haSock, cmd), haproxytest.StatsCmd(t, goSock, cmd)
		if !strings.HasSuffix(goha, "]\n\n") || strings.Count(goha, "\n") != 2 {
			t.Errorf("%s: goha's answer is not one json line and the empty line: %.200q", cmd, goha)
		}
		diffLines(t, cmd, statJSONShapes(t, ha), statJSONShapes(t, goha))
	}
}

// typedLine masks the value of a typed line when it depends on timing.
var typedTiming = regexp.MustCompile(`^((?:\S*\.)?\d+\.(?:lastchg|lastsess|check_duration|[qcrt]time(?:_max)?|Uptime|Uptime_sec|Pid|Start_time_sec|Nbthread|Ulimit-n|Maxsock|CurrConns|CumConns|CumReq|Tasks|Run_queue|Idle_pct|node|Jobs|Listeners|TotalBytesOut|BytesOutRate|PoolAlloc_MB|PoolUsed_MB|PoolAlloc_bytes|PoolUsed_bytes|Version|Release_date|Build info|MaxConnRate|MaxSessRate|ConnRate|SessRate|bin|bout|stot|smax|conn_tot|conn_rate_max|rate_max|req_rate_max|lbtot|connect|reuse|cli_abrt|srv_abrt|chkfail|chkdown|downtime|srv_icur|idle_conn_cur|last_chk|check_desc|check_health|econ|eresp|wretr|hrsp_2xx|hrsp_4xx|hrsp_5xx|h1_[a-z_]+|need_conn_est|req_tot|ereq|rate|req_rate|conn_rate)\.1:[^:]*:[^:]*:).*$`)

// checkRunning is the "* " both daemons put before a check status while
// that check is under way. The checks here last a moment each inter, so
// whether a sample catches one is timing on either side: the mark is
// dropped from both (TestCheckFailAndProgressMatchHAProxy compares it
// where a hanging server keeps the check under way).
var checkRunning = regexp.MustCompile(`^((?:\S*\.)?\d+\.check_status\.1:[^:]*:[^:]*:)\* `)

func maskTyped(out string) []string {
	var s []string
	for _, l := range strings.Split(out, "\n") {
		l = checkRunning.ReplaceAllString(l, "${1}")
		s = append(s, typedTiming.ReplaceAllString(l, "${1}*"))
	}
	return s
}

// show info typed and json list HAProxy 2.6's fields at their positions
// with their tags and types; float prints Uptime_sec as HAProxy does;
// desc, which needs HAProxy's texts, is refused, never answered without
// them; show schema json is HAProxy's byte for byte.
func TestShowInfoTypedJSONMatchHAProxy(t *testing.T) {
	haSock, goSock := formatsPair(t)
	both := func(cmd string) (string, string) {
		return haproxytest.StatsCmd(t, haSock, cmd), haproxytest.StatsCmd(t, goSock, cmd)
	}
	ha, goha := both("show info typed")
	diffLines(t, "show info typed", maskTyped(ha), maskTyped(goha))
	// A health check under way when the stats are read shows in its
	// server's check fields (inter 200ms): read again, bounded, while
	// the two differ.
	untilSame(func() bool {
		ha, goha = both("show stat typed")
		return slices.Equal(maskTyped(ha), maskTyped(goha))
	})
	diffLines(t, "show stat typed", maskTyped(ha), maskTyped(goha))
	ha, goha = both("show info json")
	diffLines(t, "show info json", infoJSONShapes(t, ha), infoJSONShapes(t, goha))
	ha, goha = both("show info float json")
	diffLines(t, "show info float json", infoJSONShapes(t, ha), infoJSONShapes(t, goha))
	ha, goha = both("show info json typed")
	diffLines(t, "show info json typed", maskTyped(ha), maskTyped(goha))
	uptime := regexp.MustCompile(`(?m)^8\.Uptime_sec\.1:MDP:flt:\d+(?:\.\d{1,6})?$`)
	for name, out := range map[string]string{"haproxy": ha, "goha": haproxytest.StatsCmd(t, goSock, "show info typed float")} {
		if name == "haproxy" {
			out = haproxytest.StatsCmd(t, haSock, "show info typed float")
		}
		if !uptime.MatchString(out) {
			t.Errorf("%s: show info typed float has no float Uptime_sec:\n%.400s", name, out)
		}
	}
	if ha, goha := both("show schema json"); ha != goha {
		t.Errorf("show schema json\nhaproxy %q\n   goha %q", ha, goha)
	}
	for _, cmd := range []string{"show schema", "show stat nosuch 1 -1 json", "show stat nosuch 1 -1"} {
		if ha, goha := both(cmd); ha != goha {
			t.Errorf("%s\nhaproxy %q\n   goha %q", cmd, ha, goha)
		}
	}
	for _, cmd := range []string{"show info desc", "show stat typed desc", "show stat json desc"} {
		if goha := haproxytest.StatsCmd(t, goSock, cmd); goha != "The 'desc' option is not supported by goha.\n\n" {
			t.Errorf("%s: goha answered %.200q", cmd, goha)
		}
	}
}

// show stat's <iid> <type> <sid> filters and its options select the same
// rows as in HAProxy 2.6, whose parsing takes the first three arguments as
// the filter whatever they say.
func TestShowStatFiltersMatchHAProxy(t *testing.T) {
	haSock, goSock := formatsPair(t)
	for _, cmd := range []string{"show stat 3 0 -1", "show stat 3 4 0", "show stat json 3 4 -1", "show stat 3 4 up",
		"show stat -1 2 -1", "show stat be 4 x", "show stat 0 4 -1", "show stat 3 7 1 up", "show stat -1 -1 -1 no-maint",
		"show stat -1 1 -1", "show stat tcpl 7 -1", "show stat 4 6 1", "show stat up", "show stat 3 4", "show stat foo",
		"show stat be 4 2 up", "show stat 3x 4 -1"} {
		ha, goha := haproxytest.StatsCmd(t, haSock, cmd), haproxytest.StatsCmd(t, goSock, cmd)
		if !strings.HasPrefix(ha, "# ") {
			if ha != goha {
				t.Errorf("%s\nhaproxy %q\n   goha %q", cmd, ha, goha)
			}
			continue
		}
		cols := []string{"pxname", "svname", "status"}
		diffLines(t, cmd, statColumns(t, ha, cols), statColumns(t, goha, cols))
	}
}
