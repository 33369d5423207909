package statspage

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// readInfo loads a `show info` capture of HAProxy into the fields the
// page shows.
func readInfo(t *testing.T, path string) runtimeapi.Info {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ": "); ok {
			kv[k] = v
		}
	}
	n := func(k string) int { v, _ := strconv.Atoi(kv[k]); return v }
	return runtimeapi.Info{Version: kv["Version"], ReleaseDate: kv["Release_date"], Nbthread: n("Nbthread"), Pid: n("Pid"),
		Uptime: time.Duration(n("Uptime_sec")) * time.Second, UlimitN: n("Ulimit-n"), Maxsock: n("Maxsock"), Maxconn: n("Maxconn"),
		CurrConns: int64(n("CurrConns")), ConnRate: int64(n("ConnRate")), Tasks: n("Tasks"), RunQueue: n("Run_queue"),
		IdlePct: n("Idle_pct"), Node: kv["node"], BytesOutRate: int64(n("BytesOutRate"))}
}

// numbers hides the figures that moved between HAProxy serving its page
// and answering `show stat` (the page request itself, rates, uptime):
// what is compared is every byte of markup and text around them.
var numbers = regexp.MustCompile(`(?:[0-9]|<span class="rls">[0-9]</span>)+(\.[0-9]+)?`)

func normalize(s string) string { return numbers.ReplaceAllString(s, "N") }

// TestPageAsHAProxy renders goha's page from the `show stat` and `show
// info` HAProxy 2.6.12 answered right after serving its own page
// (testdata/*.html) and compares the two documents byte for byte, figures
// aside: head and CSS, process block, legend, display links, one table
// per proxy, row classes (DOWN, no check, backup, maintenance hidden by
// ;up), tooltips, LastChk, show-legends/show-desc/show-node/hide-version.
func TestPageAsHAProxy(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Options
		uri  string
	}{
		{"default", Options{URI: "/stats", Refresh: 10 * time.Second}, "/stats"},
		{"legends", Options{URI: "/adm?stats", HideVersion: true, ShowLegends: true, ShowDesc: true, Desc: "my desc", ShowNode: true}, "/adm?stats;up"},
		// `stats admin if TRUE`, after a POST that drained be/b1: the
		// form around each proxy with servers, the checkboxes, the
		// action list, the outcome banner.
		{"admin", Options{URI: "/st"}, "/st;st=DONE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			csv, err := os.ReadFile("testdata/" + tc.name + ".csv")
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile("testdata/" + tc.name + ".html")
			if err != nil {
				t.Fatal(err)
			}
			in := readInfo(t, "testdata/"+tc.name+".info")
			rest := tc.uri[len(tc.opt.URI):]
			v := &view{opt: &tc.opt, hideDown: strings.Contains(rest, ";up"), admin: tc.name == "admin"}
			if i := strings.Index(rest, ";st="); i >= 0 {
				v.stCode = rest[i+4 : i+8]
			}
			got := renderHTML(v, &in, string(csv))
			g, w := normalize(got), normalize(string(want))
			if g != w {
				i := 0
				for i < len(g) && i < len(w) && g[i] == w[i] {
					i++
				}
				t.Fatalf("page differs from HAProxy's at byte %d:\ngoha:    %q\nhaproxy: %q", i, g[max(0, i-80):min(len(g), i+80)], w[max(0, i-80):min(len(w), i+80)])
			}
		})
	}
}

func TestU2H(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0", 999: "999", 9985: `<span class="rls">9</span>985`, 47993: `4<span class="rls">7</span>993`,
		1234567: `<span class="rls">1</span>23<span class="rls">4</span>567`,
	} {
		if got := u2h(n); got != want {
			t.Errorf("u2h(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestHumanTime(t *testing.T) {
	for n, want := range map[int64]string{-1: "?", 0: "0s", 1: "1s", 234: "3m54s", 3600: "1h", 3661: "1h1m", 90061: "1d1h", 86400 + 5: "1d5s"} {
		if got := humanTime(n); got != want {
			t.Errorf("humanTime(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestServerStyle(t *testing.T) {
	for _, tc := range []struct {
		f    fields
		want string
	}{
		{fields{"status": "UP", "chkfail": "0", "check_health": "4", "check_rise": "2", "check_fall": "3", "weight": "1"}, "active_up"},
		{fields{"status": "UP 2/3", "chkfail": "1", "check_health": "3", "check_rise": "2", "check_fall": "3", "weight": "1"}, "active_going_down"},
		{fields{"status": "DOWN", "bck": "1"}, "backup_down"},
		{fields{"status": "DOWN 1/2"}, "active_going_up"},
		{fields{"status": "MAINT"}, "maintain"},
		{fields{"status": "DRAIN"}, "active_draining"},
		{fields{"status": "NOLB"}, "active_nolb"},
		{fields{"status": "no check", "bck": "1"}, "backup_no_check"},
	} {
		if got := serverStyle(tc.f); got != tc.want {
			t.Errorf("%v: style %q, want %q", tc.f, got, tc.want)
		}
	}
}
