package serverstate

import (
	"reflect"
	"strings"
	"testing"
)

const header = "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n"

func TestParse(t *testing.T) {
	line := "3 bk 1 s1 127.0.0.1 2 0 1 1 100 15 3 4 6 0 0 0 - 18911 - 0 0 - - 0"
	for _, tc := range []struct {
		name    string
		in      string
		status  Status
		lines   int
		corrupt int
	}{
		{"empty", "", BadVersion, 0, 0},
		{"version only", "1\n", OK, 0, 0},
		{"version without newline", "1", BadVersion, 0, 0},
		{"version 2", "2\n" + line + "\n", BadVersion, 0, 0},
		{"version with trailing blank", "1 \n", BadVersion, 0, 0},
		{"blank first line", "\n" + line + "\n", BadVersion, 0, 0},
		{"leading blanks before version", " 1\n", OK, 0, 0},
		{"header and line", "1\n" + header + line + "\n", OK, 1, 0},
		{"20 fields (2.4's lines)", "1\n3 bk 1 s1 127.0.0.1 2 0 1 1 100 15 3 4 6 0 0 0 - 18911 -\n", OK, 1, 0},
		{"19 fields", "1\n" + line + "\n3 bk 1 s1 127.0.0.1 2 0 1 1 100 15 3 4 6 0 0 0 - 18911\n", Corrupt, 1, 2},
		{"truncated last line", "1\n" + line, Corrupt, 0, 1},
		{"comments and blanks", "1\n\n   # x\n\t\n" + line + "\n", OK, 1, 0},
		{"tabs", "1\n" + strings.ReplaceAll(line, " ", "\t") + "\n", OK, 1, 0},
		{"too long", "1\n" + line + strings.Repeat(" ", 2000) + "\n", Corrupt, 0, 1},
	} {
		f := Parse([]byte(tc.in))
		if f.Status != tc.status || len(f.Lines) != tc.lines || f.CorruptLine != tc.corrupt {
			t.Errorf("%s: got status %d, %d lines, corrupt at %d; want %d, %d, %d", tc.name, f.Status, len(f.Lines), f.CorruptLine, tc.status, tc.lines, tc.corrupt)
		}
	}
}

func line(s string) Line {
	return Line{Fields: strings.Fields(s)}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		errs string
	}{
		{"3 bk 1 s1 127.0.0.1 2 0 1 1 100 15 3 4 6 0 0 0 - 18911 - 0 0 - - 0", ""},
		{"3 bk 6 s6 127.0.0.1 9 0 1 1 50 15 3 4 6 0 0 0 - 18916 - 0 0 - - 0", ", invalid srv_op_state value '9'"},
		// inherited and resolution flags are dropped before the check
		{"4 other 1 o1 127.0.0.1 2 99 1 1 50 1 0 2 0 0 0 0 - 18921 - 0 0 - - 0", ""},
		{"3 bk 1 s1 127.0.0.1 2 3 1 1 100 15 3 4 6 0 0 0 - 18911 -", ""},
		{"3 bk 1 s1 127.0.0.1 2 9 1 1 100 15 3 4 6 0 0 0 - 18911 -", ", invalid srv_admin_state value '9'"},
		{"3 bk 1 s1 127.0.0.1 x 0 257 1 100 21 5 4 32 0 2 0 a/b 70000 -", ", invalid srv_op_state value 'x', invalid srv_uweight value '257', invalid srv_check_status value '21', invalid srv_check_result value '5', invalid srv_check_state value '32', invalid bk_f_forced_id value '2', invalid srv_fqdn value 'a/b', invalid srv_port value '70000'"},
	} {
		if _, errs := Validate(line(tc.in)); errs != tc.errs {
			t.Errorf("%s:\n got %q\nwant %q", tc.in, errs, tc.errs)
		}
	}
}

// The cases of TestServerStateFileMatchesHAProxy (internal/haproxycmd),
// as HAProxy 2.6.12 applied them.
func TestPlan(t *testing.T) {
	b := Backend{Name: "bk", ID: 3, Servers: []Server{
		{Name: "s1", Weight: 1, Rise: 2, Fall: 3, Checked: true},
		{Name: "s2", Weight: 1, Rise: 2, Fall: 3},
		{Name: "s3", Weight: 10, Rise: 2, Fall: 3},
		{Name: "s4", Weight: 1, Rise: 2, Fall: 3, Disabled: true},
		{Name: "s5", Weight: 1, Rise: 2, Fall: 3, Checked: true},
		{Name: "s6", Weight: 1, Rise: 2, Fall: 3},
		{Name: "s7", Weight: 1, Rise: 2, Fall: 3, Checked: true},
		{Name: "s8", Weight: 1, Rise: 2, Fall: 3, Checked: true},
	}}
	f := Parse([]byte("1\n" + header +
		"3 bk 1 s1 127.0.0.1 0 1 1 1 100 15 3 0 14 0 0 0 - 18911 - 0 0 - - 0\n" +
		"3 bk 2 s2 127.0.0.1 3 8 1 1 50 1 0 2 0 0 0 0 - 18912 - 0 0 - - 0\n" +
		"3 bk 3 s3 127.0.0.1 2 0 5 10 50 1 0 2 0 0 0 0 - 18913 - 0 0 - - 0\n" +
		"3 bk 4 s4 127.0.0.1 2 0 1 1 50 1 0 2 0 0 0 0 - 18914 - 0 0 - - 0\n" +
		"3 bk 5 s5 127.0.0.1 2 0 1 1 50 15 3 4 2 0 0 0 - 18915 - 0 0 - - 0\n" +
		"3 bk 6 s6 127.0.0.1 9 0 1 1 50 15 3 4 6 0 0 0 - 18916 - 0 0 - - 0\n" +
		"3 bk 7 s7 127.0.0.1 2 0 1 1 50 1 0 2 6 0 0 0 - 18917 - 0 9000 - - 9000\n" +
		"3 bk 8 s8 127.0.0.1 2 0 1 1 50 1 0 2 6 0 0 0 - 18918 - 0 9000 10.0.0.1 - 0\n" +
		"3 bk 9 nosuch 127.0.0.1 2 0 1 1 50 1 0 2 0 0 0 0 - 18914 - 0 0 - - 0\n"))
	r := Plan(b, GlobalIndex(f)["bk"], nil)
	wantMsgs := []string{
		"Server bk/s1 is DOWN, changed from server-state after a reload. 6 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
		"Server bk/s2 is stopping, changed from server-state after a reload. 5 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
		"Server bk/s2 remains in forced drain mode.",
		"server-state application failed for server 'bk/s6', invalid srv_op_state value '9'",
		"server-state partially applied for server 'bk/s7', agent checks are not enabled on this server",
	}
	if !reflect.DeepEqual(r.Messages, wantMsgs) {
		t.Errorf("messages:\n%s\nwant\n%s", strings.Join(r.Messages, "\n"), strings.Join(wantMsgs, "\n"))
	}
	type short struct {
		Server                     string
		Up, Stopping, Maint, Drain bool
		Health, Weight             int
		CheckOff                   bool
	}
	var got []short
	for _, e := range r.Effects {
		got = append(got, short{e.Server, e.Up, e.Stopping, e.Maint, e.Drain, e.Health, e.Weight, e.CheckOff})
	}
	want := []short{
		{"s1", false, false, true, false, 0, 1, false},
		{"s2", true, true, false, true, 2, 1, false},
		{"s3", true, false, false, false, 4, 5, false}, // same configured weight: the run-time weight 5 carries over
		{"s4", true, false, true, false, 4, 1, false},  // `disabled` now, not in the old process: maintenance
		{"s5", true, false, false, false, 4, 1, true},  // `disable health` carried over
		{"s7", true, false, false, false, 4, 1, false},
		{"s8", true, false, false, false, 4, 1, false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("effects:\n%+v\nwant\n%+v", got, want)
	}
	// s7: the check's port applies, then the agent's fails; s8: both of
	// the check's apply
	if e := r.Effects[5]; e.CheckPort != 9000 || e.AgentPort != -1 {
		t.Errorf("s7: check port %d, agent port %d", e.CheckPort, e.AgentPort)
	}
	if e := r.Effects[6]; e.CheckPort != 9000 || e.CheckAddr != "10.0.0.1" {
		t.Errorf("s8: check %s:%d", e.CheckAddr, e.CheckPort)
	}
}

func TestLocalIndex(t *testing.T) {
	b := Backend{Name: "loc", ID: 4, Servers: []Server{{Name: "l1", Weight: 1}, {Name: "l2", Weight: 1}}}
	f := Parse([]byte("1\n" +
		"9 loc 1 l1 127.0.0.1 2 1 1 1 100 1 0 2 0 0 0 0 - 18921 - 0 0 - - 0\n" +
		"4 loc 7 zz 127.0.0.1 2 1 1 1 100 1 0 2 0 0 0 0 - 18921 - 0 0 - - 0\n" +
		"4 other 2 l2 127.0.0.1 2 1 1 1 100 1 0 2 0 0 0 0 - 18921 - 0 0 - - 0\n" +
		"5 other 2 l2 127.0.0.1 2 1 1 1 100 1 0 2 0 0 0 0 - 18921 - 0 0 - - 0\n"))
	idx, order, warns := LocalIndex(f, b)
	r := Plan(b, idx, order)
	got := append(warns, r.Messages...)
	want := []string{
		"Proxy 'loc': backend ID mismatch: from server state file: '9', from running config '4'",
		"Proxy 'loc': backend name mismatch: from server state file: 'other', from running config 'loc'",
		"Proxy 'loc': can't find server 'zz' in backend 'loc'",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(r.Effects) != 1 || !r.Effects[0].Maint {
		t.Errorf("l1 should be in maintenance: %+v", r.Effects)
	}
}

func TestPath(t *testing.T) {
	for _, tc := range [][3]string{
		{"", "glob", "glob"},
		{"/var/lib/haproxy", "glob", "/var/lib/haproxy/glob"},
		{"/var/lib/haproxy/", "glob", "/var/lib/haproxy/glob"},
		{"/var/lib/haproxy", "/abs", "/abs"},
	} {
		if got := Path(tc[0], tc[1]); got != tc[2] {
			t.Errorf("Path(%q, %q) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("1\n" + header + "3 bk 1 s1 127.0.0.1 2 0 1 1 100 15 3 4 6 0 0 0 - 18911 - 0 0 - - 0\n"))
	f.Add([]byte("1\n3 bk 1 s1 - 9 99 x 1 100 15 3 4 6 0 0 0 a.b 70000 _x 0 0 - - 0\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		file := Parse(data)
		b := Backend{Name: "bk", ID: 3, Servers: []Server{{Name: "s1", Weight: 1, Rise: 2, Fall: 3}}}
		for _, l := range file.Lines {
			if len(l.Fields) < minFields || len(l.Fields) > maxFields {
				t.Fatalf("line with %d fields", len(l.Fields))
			}
			Validate(l)
		}
		Plan(b, GlobalIndex(file)["bk"], nil)
		idx, order, _ := LocalIndex(file, b)
		Plan(b, idx, order)
	})
}

func TestInert(t *testing.T) {
	b := Backend{Name: "bk", ID: 3, Servers: []Server{
		{Name: "t1", Weight: 1, TLS: true},
		{Name: "t2", Weight: 1, TLS: true},
		{Name: "f1", Weight: 1, FQDN: "a.example"},
		{Name: "f2", Weight: 1, FQDN: "a.example"},
	}}
	f := Parse([]byte("1\n" +
		"3 bk 1 t1 127.0.0.1 2 0 1 1 50 1 0 2 0 0 0 0 - 443 - 0 0 - - 0\n" +
		"3 bk 2 t2 127.0.0.1 2 0 1 1 50 1 0 2 0 0 0 0 - 443 - 1 0 - - 0\n" +
		"3 bk 3 f1 127.0.0.1 2 64 1 1 50 1 0 2 0 0 0 0 b.example 80 - 0 0 - - 0\n" +
		"3 bk 4 f2 127.0.0.1 2 0 1 1 50 1 0 2 0 0 0 0 b.example 80 - 0 0 - - 0\n"))
	got := Plan(b, GlobalIndex(f)["bk"], nil).Messages
	want := []string{
		"server-state for server 'bk/t1': srv_use_ssl 0 (TLS turned off at run time) has no effect in goha.",
		"server-state for server 'bk/f1': srv_fqdn 'b.example' (set at run time) has no effect in goha.",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
