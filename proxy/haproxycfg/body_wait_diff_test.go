package haproxycfg

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// TestBufferRequestTimeoutDifferential: option http-buffer-request whose
// timeout http-request runs out before the body came, in a frontend and
// in a backend, beside HAProxy 2.6.12: the 408 the client gets, the log
// line (cR, no request time; the backend's named when it waited) and the
// counters (the frontend's ereq; the backend's requests, sessions and 4xx
// when it waited).
func TestBufferRequestTimeoutDifferential(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"frontend", "backend"} {
		t.Run(in, func(t *testing.T) {
			fe, be := "", ""
			if in == "frontend" {
				fe = "    option http-buffer-request\n"
			} else {
				be = "    option http-buffer-request\n"
			}
			cfg := httplogFrontend + "    timeout http-request 300ms\n" + fe + "    default_backend be\nbackend be\n" + be +
				"    timeout http-request 300ms\n    server s1 " + startHeadRecorder(t) + "\n"
			sock := filepath.Join(t.TempDir(), "s.sock")
			ha, goha, haLog, goLog, px := startBothLoggedStats(t, cfg, sock)
			base := haproxytest.StatsCmd(t, sock, "show stat")
			raw := "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\nConnection: close\r\n\r\nab"
			want := sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 800*time.Millisecond)
			if !strings.HasPrefix(string(want), "HTTP/1.1 408") {
				t.Errorf("haproxy answered %q: not the 408 the test expects", want)
			}
			sameLogLines(t, fmt.Sprintf("%q", raw), haLog, goLog, 1)
			fs, bs := px.Frontends()[0].Stats, px.Backends()[0].Stats
			sameStatDeltas(t, base, haproxytest.StatsCmd(t, sock, "show stat"), []statCounter{
				{"fe/FRONTEND", "ereq", fs.ReqErrors}, {"fe/FRONTEND", "hrsp_4xx", fs.HRsp4xx}, {"fe/FRONTEND", "req_tot", fs.Requests},
				{"be/BACKEND", "hrsp_4xx", bs.HRsp4xx}, {"be/BACKEND", "req_tot", bs.Requests}, {"be/BACKEND", "stot", bs.Sessions},
			}, nil, false)
		})
	}
}
