package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ka "github.com/goha-lb/goha/parser/keepalived"
)

// vsConf is a file keepalived -t accepts (exit 0) that gokeepalived cannot
// run in full: an LVS virtual server.
const vsConf = `vrrp_instance VI_1 {
    state BACKUP
    interface lo
    virtual_router_id 51
    virtual_ipaddress {
        10.0.0.1
    }
}
virtual_server 10.0.0.1 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 10.0.0.2 80 {
        TCP_CHECK {
        }
    }
}
global_defs {
    vrrp_priority -5
}
`

// -t fails on an unsupported feature, naming its line, unless the operator
// overrides on the command line or in the environment; inert keywords only
// warn.
func TestConfigTestUnsupported(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "vs.conf"), []byte(vsConf), 0o644); err != nil {
		t.Fatal(err)
	}
	alert := "goha: (vs.conf: Line 9) 'virtual_server' is parsed but not supported by gokeepalived yet"
	inert := "goha: (vs.conf: Line 19) 'vrrp_priority' has no effect in goha: process scheduling, memory locking and real-time limits of keepalived's child processes\n"
	cases := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"refused", nil, nil, ka.ExitUnsupported, alert + "\n"},
		{"--allow-unsupported", nil, []string{"--allow-unsupported"}, 0, alert + ka.AllowedSuffix + "\n"},
		{"GOHA_ALLOW_UNSUPPORTED=1", []string{"GOHA_ALLOW_UNSUPPORTED=1"}, nil, 0, alert + ka.AllowedSuffix + "\n"},
		{"GOHA_ALLOW_UNSUPPORTED=0 is no override", []string{"GOHA_ALLOW_UNSUPPORTED=0"}, nil, ka.ExitUnsupported, alert + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(binary, append([]string{"-t", "-f", "vs.conf", "-i", "x"}, c.args...)...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), c.env...)
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, out)
			}
			for _, w := range []string{c.want, inert} {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// Options gokeepalived accepts but ignores are named, once each, as typed.
func TestIgnoredOptions(t *testing.T) {
	o, err := parseArgs([]string{"-nd", "-x", "--dump-conf", "-d", "-X", "--snmp", "-u", "022", "--allow-unsupported"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-d", "-x", "--dump-conf", "-X", "--snmp", "-u"}; !slices.Equal(o.ignored, want) {
		t.Errorf("ignored %q, want %q", o.ignored, want)
	}
	if !o.allowUnsupported {
		t.Error("--allow-unsupported not seen")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.conf"), []byte("global_defs {\n router_id x\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runBinary(t, dir, "-t", "-f", "ok.conf", "-d", "-m")
	for _, f := range []string{"-d", "-m"} {
		if !strings.Contains(stderr, "goha: command line option '"+f+"' is accepted but not supported yet: ignored.\n") {
			t.Errorf("no warning for %s:\n%s", f, stderr)
		}
	}
	if code != 0 {
		t.Errorf("-t exit %d", code)
	}
	// An ignored option whose effect matters is refused (fail closed),
	// unless the override is given.
	_, stderr, code = runBinary(t, dir, "-t", "-f", "ok.conf", "-C", "-s", "ns1")
	for _, f := range []string{"-C", "-s"} {
		if !strings.Contains(stderr, "goha: command line option '"+f+"' is not supported by gokeepalived (") {
			t.Errorf("no refusal for %s:\n%s", f, stderr)
		}
	}
	if code != 1 {
		t.Errorf("-t -C -s: exit %d, want 1", code)
	}
	_, stderr, code = runBinary(t, dir, "-t", "-f", "ok.conf", "-C", "--allow-unsupported")
	if code != 0 || !strings.Contains(stderr, "goha: command line option '-C' is accepted but not supported yet: ignored.\n") {
		t.Errorf("-t -C --allow-unsupported: exit %d\n%s", code, stderr)
	}
	_, stderr, _ = runBinary(t, dir, "--help")
	if !strings.Contains(stderr, "--allow-unsupported") || !strings.Contains(stderr, "GOHA_ALLOW_UNSUPPORTED=1") {
		t.Errorf("--help does not document the override:\n%s", stderr)
	}
}
