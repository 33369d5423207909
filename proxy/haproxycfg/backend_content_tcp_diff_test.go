package haproxycfg

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// TestBackendContentTCPDifferential: a tcp backend's tcp-request content
// rules beside HAProxy 2.6: they run after the frontend's accept, on the
// bytes it read, and see its variables; a payload rule waits for bytes
// under the backend's own inspect-delay (a short payload is rejected
// once it is over, one completed within it passes); a reject closes the
// client and is logged with the backend's name; track-sc1 counts the
// connections reaching it in the backend's table (the fourth is
// refused). What the client gets, the log lines and the dreq counters
// are compared.
func TestBackendContentTCPDifferential(t *testing.T) {
	t.Parallel()
	server := echoOnceServer(t)
	cfg := tcpLogHead + `frontend fe
    bind BIND
    tcp-request inspect-delay 1s
    tcp-request content set-var(txn.from) str(fe)
    tcp-request content reject if { req.payload(0,4) -m str FREJ }
    tcp-request content accept if { req.len gt 0 }
    default_backend be
backend be
    stick-table type ip size 10 store conn_cnt
    tcp-request inspect-delay 300ms
    tcp-request content reject if { req.payload(0,4) -m str BREJ }
    tcp-request content reject if { var(txn.from) -m str fe } { req.payload(0,4) -m str VREJ }
    tcp-request content reject if { req.len lt 6 }
    tcp-request content track-sc1 src
    tcp-request content reject if { sc1_conn_cnt gt 3 }
    tcp-request content set-var(txn.seen) str(yes)
    tcp-request content accept if { var(txn.seen) -m str yes } { be_name be }
    tcp-request content reject
    server s1 ` + server + `
`
	sock := filepath.Join(t.TempDir(), "stats.sock")
	ha, goha, haLog, goLog, px := startBothLoggedStats(t, cfg, sock)
	dropStartLines(haLog, goLog)
	base := haproxytest.StatsCmd(t, sock, "show stat")
	for _, tc := range []struct{ payload, want string }{
		{"HELLO!", "echo:HELLO! then fin"},
		{"FREJ!!", " then fin"},
		{"BREJ!!", " then fin"},
		{"VREJ!!", " then fin"},
		{"ab", " then fin"},
		{"ab|cdef", "echo:abcdef then fin"},
		{"HELLO!", "echo:HELLO! then fin"},
		{"HELLO!", " then fin"}, // sc1_conn_cnt 4
	} {
		var got [2]string
		got[0], got[1] = bothAtOnce(ha, goha, func(addr string) string { return payloadClient(t, addr, tc.payload) })
		t.Logf("%s: %q", tc.payload, got[0])
		if got[0] != got[1] || got[0] != tc.want {
			t.Errorf("%s: the client saw\nhaproxy %q\ngoha    %q\nwant    %q", tc.payload, got[0], got[1], tc.want)
		}
		sameLoggedLines(t, tc.payload, haLog, goLog, 0)
	}
	before, after := statRows(base), statRows(haproxytest.StatsCmd(t, sock, "show stat"))
	fe, be := px.Frontends()[0].Stats, px.Backends()[0].Stats
	for _, c := range []struct {
		row  string
		goha int64
	}{{"FRONTEND", fe.DeniedReq}, {"BACKEND", be.DeniedReq}} {
		if w := after[c.row]["dreq"] - before[c.row]["dreq"]; w != c.goha {
			t.Errorf("%s dreq: haproxy %d, goha %d", c.row, w, c.goha)
		}
	}
}

// TestBackendContentTCPRefused: the tcp backend content actions goha does
// not run there, and the backend's http rules, are refused with the line.
func TestBackendContentTCPRefused(t *testing.T) {
	head := "defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n" +
		"frontend fe\n    bind 127.0.0.1:1\n    default_backend be\nbackend be\n    server s 127.0.0.1:9\n"
	for be, want := range map[string]string{
		"    tcp-request content reject if { req.len lt 4 }\n":                     "",
		"    tcp-request content set-var(txn.a) src\n":                             "",
		"    tcp-request content set-var(txn.a) req.len\n":                         "is not a layer-4 one",
		"    tcp-request content set-dst ipv4(127.0.0.1)\n":                        "tcp-request content set-dst in a tcp backend",
		"    tcp-request content silent-drop\n":                                    "tcp-request content silent-drop in a tcp backend",
		"    tcp-request content set-log-level err\n":                              "tcp-request content set-log-level in a tcp backend",
		"    http-request set-header x 1\n":                                        "http-request set-header in a backend",
		"    tcp-request content track-sc0 src\n    stick-table type ip size 10\n": "",
	} {
		n := notices(buildText(t, head+be))
		if want == "" && len(n) != 0 || want != "" && (len(n) != 1 || !strings.Contains(n[0], want)) {
			t.Errorf("%s: notices %q, want %q", be, n, want)
		}
	}
}
