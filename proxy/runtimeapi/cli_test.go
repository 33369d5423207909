package runtimeapi

import (
	"os"
	"strings"
	"testing"
)

func capturedLines(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/haproxy-2.6.12/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// subsequence reports whether every line of sub appears in all, in order.
func subsequence(sub, all []string) (string, bool) {
	j := 0
	for _, l := range sub {
		for j < len(all) && all[j] != l {
			j++
		}
		if j == len(all) {
			return l, false
		}
		j++
	}
	return "", true
}

// TestHelpLayoutMatchesHAProxy: our help is HAProxy's help restricted to
// the commands gohaproxy implements, line for line (same title, same
// column layout, same order, help/prompt/quit last).
func TestHelpLayoutMatchesHAProxy(t *testing.T) {
	real := capturedLines(t, "help.txt")
	out, done := NewSession(newFakeSource(), LevelAdmin).Exec("help\n")
	if !done {
		t.Fatal("help without prompt must close")
	}
	ours := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if ours[0] != real[0] {
		t.Fatalf("title %q, haproxy %q", ours[0], real[0])
	}
	if l, ok := subsequence(ours, real); !ok {
		t.Errorf("line %q is not in haproxy's help (or out of order)", l)
	}
	if got, want := strings.Join(ours[len(ours)-3:], "\n"), strings.Join(real[len(real)-3:], "\n"); got != want {
		t.Errorf("last lines:\n%s\nwant\n%s", got, want)
	}
	listed := 0
	for _, c := range commands {
		if c.usage != "" && c.mode == modeNone { // "": answered but not in 2.6's help; modes: listed in theirs only
			listed++
		}
	}
	if len(ours) != listed+1 {
		t.Errorf("%d help lines for %d listed commands", len(ours)-1, listed)
	}
}

func TestUnknownCommands(t *testing.T) {
	real := capturedLines(t, "unknown.txt") // answer to "foo bar"
	out, _ := NewSession(newFakeSource(), LevelAdmin).Exec("foo bar\n")
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if lines[0] != real[0] {
		t.Errorf("title %q, haproxy %q", lines[0], real[0])
	}
	if n := len(lines) - 1; n != 5+3 {
		t.Errorf("%d suggestions, haproxy gives 5 plus help/prompt/quit:\n%s", n, out)
	}
	if l, ok := subsequence(lines[len(lines)-3:], real); !ok {
		t.Errorf("%q missing", l)
	}
	// A known first word lists that family, as HAProxy does for "show".
	out, _ = NewSession(newFakeSource(), LevelAdmin).Exec("show\n")
	for _, want := range []string{"  show info ", "  show stat ", "  show servers state ", "  show cli level "} {
		if !strings.Contains(string(out), want) {
			t.Errorf("'show' answer lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "  set server") {
		t.Errorf("'show' answer lists set commands:\n%s", out)
	}
}

// TestShowInfoFieldsMatchHAProxy: same keys, same order as 2.6.12.
func TestShowInfoFieldsMatchHAProxy(t *testing.T) {
	keys := func(lines []string) []string {
		var k []string
		for _, l := range lines {
			if i := strings.Index(l, ": "); i > 0 {
				k = append(k, l[:i])
			}
		}
		return k
	}
	real := keys(capturedLines(t, "info.txt"))
	out, _ := NewSession(newFakeSource(), LevelUser).Exec("show info\n")
	ours := keys(strings.Split(string(out), "\n"))
	if strings.Join(ours, ",") != strings.Join(real, ",") {
		t.Errorf("keys differ:\n ours %v\nhaproxy %v", ours, real)
	}
	for _, want := range []string{"Name: HAProxy\n", "Pid: 4242\n", "Uptime: 1d 1h01m01s\n", "Uptime_sec: 90061\n", "Maxconn: 4000\n", "node: vm\n", "Idle_pct: 100\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("show info lacks %q", want)
		}
	}
	if !strings.HasSuffix(string(out), "Tainted: 0\n\n") {
		t.Errorf("show info must end with the empty line: %q", out[len(out)-20:])
	}
}

func TestStatHeaderMatchesHAProxy(t *testing.T) {
	real := capturedLines(t, "stat.txt")[0] + "\n"
	if StatHeader() != real {
		t.Errorf("header differs:\n%s%s", StatHeader(), real)
	}
}

func TestSessionProtocol(t *testing.T) {
	src := newFakeSource()
	s := NewSession(src, LevelAdmin)
	out, done := s.Exec("prompt\n")
	if done || string(out) != "\n> " {
		t.Fatalf("prompt: %q done=%v", out, done)
	}
	out, done = s.Exec("show cli level;operator;show cli level\n")
	if done || string(out) != "admin\n\n\noperator\n\n> " {
		t.Fatalf("interactive: %q done=%v", out, done)
	}
	out, _ = s.Exec("disable server servers/web1\n")
	if string(out) != "Permission denied\n\n> " {
		t.Fatalf("operator may not disable: %q", out)
	}
	out, done = s.Exec("quit;show info\n")
	if !done || string(out) != "" {
		t.Fatalf("quit: %q done=%v", out, done)
	}
	if len(src.calls) != 0 {
		t.Errorf("state changed: %v", src.calls)
	}
	// user level: reads allowed, changes refused, cannot climb back
	// ("operator" refused as HAProxy 2.6.12's stats socket does).
	u := NewSession(src, LevelUser)
	if out, _ := u.Exec("get weight servers/web2;set weight servers/web2 1;operator;show cli level\n"); string(out) != "5 (initial 5)\n\nPermission denied\n\nPermission denied\n\nuser\n\n" {
		t.Errorf("user level: %q", out)
	}
	// escaped semicolon stays inside the word
	if got := splitCommands(`a\;b;c`); len(got) != 2 || got[0] != "a;b" || got[1] != "c" {
		t.Errorf("split: %q", got)
	}
}

func TestSetServerCallsSource(t *testing.T) {
	src := newFakeSource()
	for _, line := range []string{
		"disable server servers/web1", "enable server servers/web1",
		"set server servers/web2 state drain", "set server servers/web2 weight 40%",
		"set weight tcpbe/t1 7", "set server servers/web3 addr 1.2.3.4",
	} {
		NewSession(src, LevelAdmin).Exec(line + "\n")
	}
	want := "state servers/web1 maint|state servers/web1 ready|state servers/web2 drain|weight servers/web2 2|weight tcpbe/t1 7"
	if got := strings.Join(src.calls, "|"); got != want {
		t.Errorf("calls\n got %s\nwant %s", got, want)
	}
	out, _ := NewSession(src, LevelAdmin).Exec("set server servers/web3 addr 1.2.3.4\n")
	if !strings.Contains(string(out), "not supported") {
		t.Errorf("unsupported subcommand answered %q", out)
	}
}

func TestParseWeight(t *testing.T) {
	tests := []struct {
		arg     string
		initial int
		static  bool
		want    int
		msg     string
	}{
		{"7", 5, false, 7, ""},
		{"+3", 5, false, 3, ""},
		{"50%", 5, false, 2, ""},
		{"200%", 5, false, 10, ""},
		{"9999%", 5, false, 256, ""},
		{"0%", 5, true, 0, ""},
		{"100%", 4, true, 4, ""},
		{"2", 4, true, 0, "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n"},
		{"300", 5, false, 0, "Absolute weight can only be between 0 and 256 inclusive.\n"},
		{"-1", 5, false, 0, "Absolute weight can only be between 0 and 256 inclusive.\n"},
		{"-5%", 5, false, 0, "Relative weight must be positive.\n"},
		{"abc", 5, false, 0, "Empty weight string empty or preceded by garbage"},
		{"5x", 5, false, 0, "Trailing garbage in weight string"},
		{"", 5, false, 0, "Require <weight> or <weight%>.\n"},
	}
	for _, tc := range tests {
		w, msg := ParseWeight(tc.arg, tc.initial, tc.static)
		if msg != tc.msg || (msg == "" && w != tc.want) {
			t.Errorf("ParseWeight(%q, %d, %v) = %d, %q; want %d, %q", tc.arg, tc.initial, tc.static, w, msg, tc.want, tc.msg)
		}
	}
}

func TestServerStatus(t *testing.T) {
	ck := func(h int) *Check { return &Check{Rise: 2, Fall: 3, Health: h} }
	tests := []struct {
		sv   Server
		want string
	}{
		{Server{Up: true}, "no check"},
		{Server{Up: true, Check: ck(4)}, "UP"},
		{Server{Up: true, Check: ck(3)}, "UP 2/3"},
		{Server{Up: true, Check: ck(2)}, "UP 1/3"},
		{Server{Up: false, Check: ck(0)}, "DOWN"},
		{Server{Up: false, Check: ck(1)}, "DOWN 1/2"},
		{Server{Up: true, Drain: true}, "DRAIN"},
		{Server{Up: true, Drain: true, Check: ck(3)}, "DRAIN 2/3"},
		{Server{Up: true, Maint: true, Check: ck(4)}, "MAINT"},
		// http-check disable-on-404 answered 404: HAProxy's NOLB
		{Server{Up: true, Stopping: true, Check: ck(4)}, "NOLB"},
		{Server{Up: true, Stopping: true, Check: ck(3)}, "NOLB 2/3"},
	}
	for _, tc := range tests {
		if got := serverStatus(&tc.sv); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.sv, got, tc.want)
		}
	}
	// srv_op_state 3 is SRV_ST_STOPPING.
	line := serverStateLine(&Proxy{Name: "b", ID: 2}, &Server{Name: "s1", ID: 1, Addr: "127.0.0.1:80", Up: true, Stopping: true, Weight: 1, InitialWeight: 1, Check: &Check{Status: "L7OKC", Code: 404, Rise: 2, Fall: 3, Health: 4}})
	if f := strings.Fields(line); len(f) < 12 || f[5] != "3" || f[10] != "16" || f[11] != "4" {
		t.Errorf("servers state of a stopping server: %q", line)
	}
}

func FuzzExec(f *testing.F) {
	for _, s := range []string{"help", "show stat", "set server servers/web1 weight 50%", "prompt;;quit", `a\;b`, "set server /", "get weight /web1", "show servers state x y z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		src := newFakeSource()
		out, _ := NewSession(src, LevelAdmin).Exec(line + "\n")
		if len(out) == 0 || out[len(out)-1] != '\n' && !strings.HasSuffix(string(out), "> ") {
			t.Fatalf("answer %q does not end a response", out)
		}
	})
}

// Every command of HAProxy 2.6's help is answered, except the one HAProxy
// itself does not answer: its help spells `new ssl crlfile` while the
// command is `new ssl crl-file`, so "new ssl crlfile x" gets HAProxy's
// unknown-command answer (captured from HAProxy 2.6.12), never other data.
func TestUnimplementedCommandsAnswerUnknown(t *testing.T) {
	real := capturedLines(t, "help.txt")
	var missing []string
	for _, l := range real[1:] {
		var words []string
		for _, w := range strings.Fields(strings.SplitN(l, ":", 2)[0]) {
			if strings.ContainsAny(w, "<[(|*") {
				break
			}
			words = append(words, w)
		}
		if len(words) == 0 || lookup(words) != nil {
			continue
		}
		missing = append(missing, strings.Join(words, " "))
	}
	if strings.Join(missing, ",") != "new ssl crlfile" {
		t.Errorf("help commands goha does not answer: %q, want only HAProxy's own \"new ssl crlfile\"", missing)
	}
	want, err := os.ReadFile("testdata/haproxy-2.6.12/new-ssl-crlfile.txt")
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := NewSession(newFakeSource(), LevelAdmin).Exec("new ssl crlfile x\n"); string(out) != string(want) {
		t.Errorf("new ssl crlfile x:\n%s\nHAProxy:\n%s", out, want)
	}
}
