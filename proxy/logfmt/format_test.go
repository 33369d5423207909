package logfmt

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// at parses a UTC instant with milliseconds, e.g. "2026-11-25T09:04:44.465".
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse("2006-01-02T15:04:05.000", s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

var utcEnv = &Env{PID: 25286, Hostname: "vm", Location: time.UTC}

// The expected lines below were printed by HAProxy 2.6.12 on this machine
// for the same transactions (see testdata/haproxy-2.6.12/logs.txt).
func TestHAProxyLines(t *testing.T) {
	acc := at(t, "2026-11-25T09:04:44.465")
	tests := []struct {
		name string
		f    *Format
		e    Entry
		want string
	}{
		{"httplog", HTTPLog, Entry{
			Client: netip.MustParseAddrPort("127.0.0.1:41502"), Accept: acc, Start: acc,
			Frontend: "main", Backend: "servers", Server: "web2",
			Idle: 0, TR: 0, Tw: 0, Tc: ms(1), Tr: ms(3), Ta: ms(4), Status: 200, Bytes: 120,
			Method: []byte("GET"), Target: []byte("/"), Minor: 1,
			ActConn: 2, FeConn: 2, BeConn: 1, SrvConn: 1,
		}, `127.0.0.1:41502 [25/Nov/2026:09:04:44.465] main servers/web2 0/0/1/3/4 200 120 - - ---- 2/2/1/1/0 0/0 "GET / HTTP/1.1"`},
		{"badreq", HTTPLog, Entry{
			Client: netip.MustParseAddrPort("127.0.0.1:41534"), Accept: acc, Start: acc,
			Frontend: "main", Idle: 0, TR: -1, Tw: -1, Tc: -1, Tr: -1, Ta: 0, Status: 400,
			Term: [2]byte{'P', 'R'}, ActConn: 2, FeConn: 1,
		}, `127.0.0.1:41534 [25/Nov/2026:09:04:44.465] main main/<NOSRV> -1/-1/-1/-1/0 400 0 - - PR-- 2/1/0/0/0 0/0 "<BADREQ>"`},
		{"server-down-retries", HTTPLog, Entry{
			Client: netip.MustParseAddrPort("127.0.0.1:44122"), Accept: acc, Start: acc,
			Frontend: "lg", Backend: "nosrv", Server: "web9", TR: 0, Tw: 0, Tc: -1, Tr: -1,
			Ta: ms(3007), Status: 503, Bytes: 217, Retries: 3, Term: [2]byte{'S', 'C'},
			Method: []byte("GET"), Target: []byte("/long"), Minor: 1, ActConn: 1, FeConn: 1,
		}, `127.0.0.1:44122 [25/Nov/2026:09:04:44.465] lg nosrv/web9 0/0/-1/-1/3007 503 217 - - SC-- 1/1/0/0/3 0/0 "GET /long HTTP/1.1"`},
		{"tcplog", TCPLog, Entry{
			Client: netip.MustParseAddrPort("127.0.0.1:49648"), Accept: acc, Start: acc, TCP: true,
			Frontend: "tcpfe", Backend: "tcpbe", Server: "t1", Tw: ms(1), Tc: 0, Ta: ms(200),
			Bytes: 117, ActConn: 2, FeConn: 1,
		}, `127.0.0.1:49648 [25/Nov/2026:09:04:44.465] tcpfe tcpbe/t1 1/0/200 117 -- 2/1/0/0/0 0/0`},
		// HAProxy 2.6.12 on Debian 12 printed these for `log-format
		// "v=%sslv c=%sslc q=%{+Q}sslv"` on a TLS and a clear bind.
		{"ssl-vars-tls", MustCompile(`v=%sslv c=%sslc q=%{+Q}sslv`), Entry{SSLVersion: "TLSv1.2", SSLCipher: "ECDHE-ECDSA-AES256-GCM-SHA384"},
			`v=TLSv1.2 c=ECDHE-ECDSA-AES256-GCM-SHA384 q="TLSv1.2"`},
		{"ssl-vars-clear", MustCompile(`v=%sslv c=%sslc q=%{+Q}sslv`), Entry{}, `v=- c=- q=""`},
		{"log-format-escapes", MustCompile(`a   b %hr %hs c HQ=%HQ Q=%{+Q}HQ X=%{+X}ST Xci=%{+X}ci Xcp=%{+X}cp Td=%Td Qci=%{+Q}ci Qs=%{+Q}s Qst=%{+Q}ST E=%{+E}HU HP=%HP Tt=%Tt b=%b ms=%ms Ts=%Ts tsc=%tsc %{+Q}r end`), Entry{
			Client: netip.MustParseAddrPort("127.0.0.1:33370"), Accept: at(t, "2026-11-25T09:07:20.595"),
			Frontend: "lf", Backend: "servers", Server: "web1", TR: 100 * time.Microsecond,
			Tw: 50 * time.Microsecond, Tc: 300 * time.Microsecond, Tr: 700 * time.Microsecond,
			Ta: 1200 * time.Microsecond, Status: 200,
			Method: []byte("GET"), Target: []byte(`/q%20a?x="y"`), Minor: 0,
		}, `a b c HQ=?x=#22y#22 Q="?x=#22y#22" X=200 Xci=7F000001 Xcp=825A Td=0 Qci="127.0.0.1" Qs="web1" Qst=200 E=/q%20a?x=#22y#22 HP=/q%20a Tt=1 b=servers ms=595 Ts=1795597640 tsc=---- "GET /q%20a?x=#22y#22 HTTP/1.0" end`},
		{"clf", HTTPLogCLF, Entry{
			Client: netip.MustParseAddrPort("127.0.0.1:52508"), Accept: at(t, "2026-11-25T09:23:31.830"),
			Frontend: "lg", Backend: "nosrv", Server: "web9", Ta: ms(1), Status: 200, Bytes: 117,
			Method: []byte("GET"), Target: []byte("/x?y"), Minor: 1, ActConn: 1, FeConn: 1,
		}, `127.0.0.1 - - [25/Nov/2026:09:23:31 +0000] "GET /x?y HTTP/1.1" 200 117 "" "" 52508 830 "lg" "nosrv" "web9" 0 0 0 0 1 ---- 1 1 0 0 0 0 0 "" "" `},
		{"clf-badreq", HTTPLogCLF, Entry{
			Client: netip.MustParseAddrPort("127.0.0.1:52520"), Accept: at(t, "2026-11-25T09:23:32.131"),
			Frontend: "lg", TR: -1, Tw: -1, Tc: -1, Tr: -1, Status: 400, Term: [2]byte{'P', 'R'}, ActConn: 1, FeConn: 1,
		}, `127.0.0.1 - - [25/Nov/2026:09:23:32 +0000] "<BADREQ>" 400 0 "" "" 52520 131 "lg" "lg" "<NOSRV>" -1 -1 -1 -1 0 PR-- 1 1 0 0 0 0 0 "" "" `},
		{"empty-query", MustCompile(`HQ=%HQ Q=%{+Q}HQ`), Entry{Method: []byte("GET"), Target: []byte("/q")}, `HQ= Q=""`},
		{"percent", MustCompile(`{%%} %pid %H`), Entry{}, `{%} 25286 vm`},
		{"path-only", MustCompile(`%HPO %HP %HPO`), Entry{Method: []byte("GET"), Target: []byte("http://h:8/p/q?x=1")}, `/p/q http://h:8/p/q /p/q`},
		{"gmt", MustCompile(`%T|%Tl|%trg`), Entry{Accept: acc, Start: acc, Idle: ms(5)}, `25/Nov/2026:09:04:44 +0000|25/Nov/2026:09:04:44 +0000|25/Nov/2026:09:04:44 +0000`},
		{"tr-adds-idle", MustCompile(`%t %tr`), Entry{Accept: acc, Start: acc.Add(ms(100)), Idle: ms(20)}, `25/Nov/2026:09:04:44.465 25/Nov/2026:09:04:44.585`},
		{"tu", MustCompile(`%Tu %Tt %Ti`), Entry{Idle: ms(30), Ta: ms(12)}, `12 42 30`},
		// haproxy 2.6.12 with `len 4096` and a 2000-byte path: the request
		// line is kept to 1023 bytes (tune.http.logurilen 1024).
		{"long-uri", MustCompile(`%{+Q}r`), Entry{Method: []byte("GET"), Target: []byte("/" + strings.Repeat("a", 1999)), Minor: 1},
			`"GET /` + strings.Repeat("a", 1023-5) + `"`},
		{"long-uri-hu", MustCompile(`%HU`), Entry{Method: []byte("GET"), Target: []byte("/" + strings.Repeat("a", 1999)), Minor: 1},
			`/` + strings.Repeat("a", 1023-5)},
		// haproxy 2.6.12: every request-part variable of a request it
		// could not parse prints <BADREQ>.
		{"badreq-parts", MustCompile(`HM=%HM HV=%HV HU=%HU HP=%HP HQ=%HQ HPO=%HPO QHM=%{+Q}HM r=%r`), Entry{},
			`HM=<BADREQ> HV=<BADREQ> HU=<BADREQ> HP=<BADREQ> HQ=<BADREQ> HPO=<BADREQ> QHM="<BADREQ>" r=<BADREQ>`},
		{"request-parts", MustCompile(`HM=%HM HV=%HV HU=%HU HP=%HP HQ=%HQ HPO=%HPO QHM=%{+Q}HM r=%r`),
			Entry{Method: []byte("GET"), Target: []byte(`/q%20a?x="y"`)},
			`HM=GET HV=HTTP/1.0 HU=/q%20a?x=#22y#22 HP=/q%20a HQ=?x=#22y#22 HPO=/q%20a QHM="GET" r=GET /q%20a?x=#22y#22 HTTP/1.0`},
		// haproxy 2.6.12 with option accept-invalid-http-request logs the
		// version as received ("GET / RTSP/1.1" although it forwards
		// HTTP/1.1); so it does HTTP/0.9 and HTTP/2.0 without the option.
		{"version-as-received", MustCompile(`%{+Q}r %HV`),
			Entry{Method: []byte("GET"), Target: []byte("/"), Minor: 1, Version: []byte("RTSP/1.1")},
			`"GET / RTSP/1.1" RTSP/1.1`},
		{"no-response-status", MustCompile(`%ST`), Entry{}, `-1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := string(tc.f.Append(nil, &tc.e, utcEnv))
			if got != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestLogDateMatchesTimeFormat checks the hand-written date against the
// layouts it replaces, across zones with odd offsets.
func TestLogDateMatchesTimeFormat(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("x", -(3*3600 + 30*60)), time.FixedZone("y", 5*3600+45*60)}
	for i, ts := range []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC), time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 11, 25, 9, 4, 44, 465e6, time.UTC),
	} {
		tt := ts.In(zones[i%len(zones)])
		if got, want := string(appendLogDate(nil, tt, true, false)), tt.Format(dateLayoutMs); got != want {
			t.Errorf("ms: %s want %s", got, want)
		}
		if got, want := string(appendLogDate(nil, tt, false, true)), tt.Format(dateLayoutTZ); got != want {
			t.Errorf("tz: %s want %s", got, want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	// HAProxy 2.6.12's messages (after its "failed to parse log-format : ").
	for in, want := range map[string]string{
		"x %zz":      "no such format variable 'zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'.",
		"a % b":      "unexpected variable name near ' ' at position 3 line : 'a % b'. Maybe you want to write a single '%', use the syntax '%%'.",
		"a %":        "truncated line after '%'.",
		"%{+Q}":      "parse argument modifier without variable name near '%{+Q}'.",
		"a %[src b":  "expected ']' after 'src', but found ' '.",
		"a %[src(x)": "expected ']' after 'src(x)', but found ''.",
	} {
		if _, err := Compile(in); err == nil || err.Error() != want {
			t.Errorf("%q: %v\nwant %s", in, err, want)
		}
	}
	var ue *UnsupportedError
	for _, s := range []string{"%bi", "%lc"} {
		if _, err := Compile(s); !errors.As(err, &ue) {
			t.Errorf("%s: want UnsupportedError, got %v", s, err)
		}
	}
	if _, err := Compile("%{+Q"); err == nil {
		t.Error("unterminated option block accepted")
	}
}

func TestDecide(t *testing.T) {
	ok := Entry{Status: 200, Term: [2]byte{'-', '-'}}
	tests := []struct {
		name  string
		e     Entry
		o     Options
		log   bool
		level Level
	}{
		{"normal", ok, Options{}, true, Info},
		{"normal dontlog-normal", ok, Options{DontLogNormal: true}, false, Info},
		{"5xx separate", Entry{Status: 503, Term: [2]byte{'S', 'C'}}, Options{SeparateErrors: true}, true, Err},
		{"5xx without flags", Entry{Status: 502}, Options{SeparateErrors: true, DontLogNormal: true}, true, Err},
		{"client abort", Entry{Status: 200, Term: [2]byte{'C', 'D'}}, Options{DontLogNormal: true}, true, Info},
		{"PR-- is an error (haproxy 2.6.12: <147> with log-separate-errors)", Entry{Status: 403, Term: [2]byte{'P', 'R'}}, Options{SeparateErrors: true}, true, Err},
		{"retried", Entry{Status: 200, Retries: 1}, Options{SeparateErrors: true}, true, Err},
		{"L flag", Entry{Status: 200, Term: [2]byte{'L', 'R'}}, Options{DontLogNormal: true}, false, Info},
		{"tcp no status", Entry{TCP: true, Term: [2]byte{'-', '-'}}, Options{DontLogNormal: true}, false, Info},
		{"null", Entry{NullConn: true}, Options{DontLogNull: true}, false, Info},
	}
	for _, tc := range tests {
		log, level := Decide(&tc.e, tc.o)
		if log != tc.log || (log && level != tc.level) {
			t.Errorf("%s: %v %v, want %v %v", tc.name, log, level, tc.log, tc.level)
		}
	}
}

func TestCompileForTCP(t *testing.T) {
	// haproxy -c on a mode tcp frontend: "failed to parse log-format :
	// format variable 'r' is reserved for HTTP mode."
	if _, err := CompileFor("%ci %r %HM", false); err == nil || err.Error() != "format variable 'r' is reserved for HTTP mode." {
		t.Errorf("tcp %%r: %v", err)
	}
	for _, ok := range []string{TCPLogFormat, "%ST %B %U %Tt %Tw %Tc %Th %Td %tsc %ts %s %hr %t %Tu %T %Ts %ms"} {
		if _, err := CompileFor(ok, false); err != nil {
			t.Errorf("%q refused in tcp mode: %v", ok, err)
		}
	}
	if _, err := CompileFor(HTTPLogFormat, true); err != nil {
		t.Error(err)
	}
	// The same session in tcp mode (Tt=200 Tw=1 Tc=0): haproxy printed
	// ST=0 and Td equal to Tt.
	e := Entry{TCP: true, Server: "s1", Tw: ms(1), Tc: 0, Ta: ms(200), Bytes: 9, BytesIn: 4}
	got := string(MustCompile("ST=%ST B=%B U=%U Tt=%Tt Tw=%Tw Tc=%Tc Th=%Th Td=%Td tsc=%tsc ts=%ts s=%s hr=%hr Tu=%Tu").Append(nil, &e, utcEnv))
	if want := "ST=0 B=9 U=4 Tt=200 Tw=1 Tc=0 Th=0 Td=200 tsc=---- ts=-- s=s1 hr= Tu=200"; got != want {
		t.Errorf("tcp line\n got %s\nwant %s", got, want)
	}
}

func TestSkip(t *testing.T) {
	e := &Entry{NullConn: true}
	if !Skip(e, true) || Skip(e, false) || Skip(&Entry{}, true) {
		t.Error("dontlognull decision wrong")
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{HTTPLogFormat, TCPLogFormat, "%{+Q,+E}HQ %%", "%{", "%[", "a  b", "%",
		"%[src] %{+Q}[req.hdr(x),regsub([a-z],y,g)] %[", "%[a b]", "%hr %hs %{+Q}hrl %hsl %ID %{+X}fi:%fp_%rt"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fm, err := Compile(s)
		if err != nil {
			return
		}
		// Every sample is an expression that ended at its ']'.
		for _, x := range fm.Samples() {
			if strings.ContainsAny(x, " ") && !strings.Contains(x, "(") {
				t.Fatalf("%q: sample %q holds a blank outside parentheses", s, x)
			}
		}
		e := Entry{Method: []byte("GET"), Target: []byte(s), Client: netip.MustParseAddrPort("[::1]:80"),
			Samples: make([]string, len(fm.Samples())), ReqCaptures: []string{s, ""}, ReqCaptured: 1, ResCaptures: []string{s}}
		for i := range e.Samples {
			e.Samples[i] = s
		}
		fm.Append(nil, &e, nil)
		fm.AppendValue(nil, &e, nil)
		e.Samples = nil // fewer values than samples: printed as none
		fm.Append(nil, &e, nil)
	})
}

func BenchmarkHTTPLog(b *testing.B) {
	e := Entry{Client: netip.MustParseAddrPort("127.0.0.1:41502"), Accept: time.Now(), Frontend: "main",
		Backend: "servers", Server: "web2", Status: 200, Method: []byte("GET"), Target: []byte("/index.html"), Minor: 1}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = HTTPLog.Append(buf[:0], &e, utcEnv)
	}
}

func TestAppendConnect(t *testing.T) {
	// HAProxy 2.6.12, `mode tcp` frontend "lt" with `log global` only.
	got := string(AppendConnect(nil, netip.MustParseAddrPort("127.0.0.1:58488"), netip.MustParseAddrPort("127.0.0.1:18084"), "lt"))
	if want := "Connect from 127.0.0.1:58488 to 127.0.0.1:18084 (lt/TCP)"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

// %[...] samples print the entry's Samples in order, as HAProxy prints a
// string: "-" for none or empty, quoted with +Q, escaped with +E.
func TestSamples(t *testing.T) {
	f, err := Compile(`%[src] x%{+Q}[req.hdr(a),regsub([a-c],x,g)] %[str()] %{+Q}[var(txn.none)] %{+E}[str(a)]%%`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.Samples(), "|"), "src|req.hdr(a),regsub([a-c],x,g)|str()|var(txn.none)|str(a)"; got != want {
		t.Errorf("samples %q, want %q", got, want)
	}
	e := &Entry{Samples: []string{"1.2.3.4", `q"b`, "", "", `a"]`}}
	if got, want := string(f.Append(nil, e, nil)), `1.2.3.4 x"q"b" - "" a\"\]%`; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
}
