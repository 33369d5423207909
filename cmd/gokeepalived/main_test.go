package main

import (
	"bytes"
	"crypto/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gokeepalived-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "gokeepalived")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBinary runs the built gokeepalived and returns stdout, stderr and the
// exit status; a crash (panic: exit 2 with a goroutine dump) fails the test.
func runBinary(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr.String(), "goroutine ") || strings.Contains(stderr.String(), "panic:") {
		t.Fatalf("gokeepalived crashed:\n%.2000s", stderr.String())
	}
	return stdout.String(), stderr.String(), code
}

func hasInterface(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}

func TestConfigTestSeedWithoutInterface(t *testing.T) {
	if hasInterface("ens160") {
		t.Skip("this host has an ens160")
	}
	seed, _ := filepath.Abs("../../testdata/seed")
	_, stderr, code := runBinary(t, seed, "-t", "-f", "keepalived-lb2.conf")
	if code != 5 {
		t.Errorf("exit %d, want 5\n%s", code, stderr)
	}
	for _, want := range []string{
		"(keepalived-lb2.conf: Line 13) WARNING - interface ens160 for vrrp_instance lb_ha doesn't exist\n",
		"\nNon-existent interface specified in configuration\n",
		"(keepalived-lb2.conf: Line 7) vrrp_garp_interval '0' is invalid\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestConfigTestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	garbage := make([]byte, 10<<20)
	if _, err := rand.Read(garbage); err != nil {
		t.Fatal(err)
	}
	write("garbage.conf", garbage)
	write("nul.conf", []byte("global_defs {\n\x00router_id x\n}\nbogus\x00more\n\x00\x00\x00\n"))
	write("incl.conf", []byte("include dangling.conf\n"))
	write("globincl.conf", []byte("include nothing-*.conf\nglobal_defs {\n router_id x\n}\n"))
	if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "dangling.conf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing file", []string{"-t", "-f", "nope.conf"}, 4, "Config files missing 'nope.conf'.\n"},
		{"directory", []string{"-t", "-f", "adir"}, 4, "Configuration file 'adir/' is a directory - skipping\n"},
		{"nul bytes", []string{"-t", "-f", "nul.conf"}, 5, "(nul.conf: Line 4) Unknown keyword 'bogus'\n"},
		{"unreadable include", []string{"-t", "-f", "incl.conf"}, 4, "(incl.conf: Line 1) Configuration file 'dangling.conf' open problem (No such file or directory) - skipping\n"},
		{"missing file says why it fails", []string{"-t", "-f", "nope.conf"}, 4, "goha: cannot read 'nope.conf': gokeepalived -t exits 4"},
		{"unmatched include glob is silent, as keepalived", []string{"-t", "-f", "globincl.conf"}, 0, ""},
		{"garbage", []string{"-t", "-f", "garbage.conf"}, 5, "Unknown keyword"},
		{"long option with value", []string{"--config-test", "--use-file=nope.conf"}, 4, "Config files missing 'nope.conf'."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runBinary(t, dir, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d (want %d), stderr lacks %q:\n%.3000s", code, tc.code, tc.want, stderr)
			}
		})
	}
}

func TestFlags(t *testing.T) {
	for sig, want := range map[string]string{"STOP": "15", "RELOAD": "1", "DATA": "10", "STATS": "12", "STATS_CLEAR": "63", "JSON": "36"} {
		stdout, _, code := runBinary(t, ".", "--signum", sig)
		if code != 0 || strings.TrimSpace(stdout) != want {
			t.Errorf("--signum %s: %q rc %d, want %s", sig, stdout, code, want)
		}
	}
	_, stderr, code := runBinary(t, ".", "--help")
	for _, f := range []string{"--use-file", "--config-test", "--config-id", "--dont-fork", "--log-console", "--log-detail",
		"--log-facility", "--vrrp", "--check", "--no_bfd", "--pid", "--vrrp_pid", "--checkers_pid", "--signum", "--version"} {
		if !strings.Contains(stderr, f) {
			t.Errorf("--help lacks %s", f)
		}
	}
	if code != 0 || !strings.Contains(stderr, "--check") || !strings.Contains(stderr, "not supported by gokeepalived") {
		t.Errorf("--help rc %d:\n%s", code, stderr)
	}
	_, stderr, code = runBinary(t, ".", "-n", "-l", "-D", "-f", "x.conf")
	// A missing file stops the daemon before anything runs (no pid file, no socket).
	if code != 1 || !strings.Contains(stderr, "Configuration file x.conf could not be read") || !strings.Contains(stderr, ": Stopping\n") {
		t.Errorf("run mode: rc %d %q", code, stderr)
	}
	_, stderr, code = runBinary(t, ".", "--bogus")
	if code != 1 || !strings.Contains(stderr, "unrecognized option '--bogus'") {
		t.Errorf("bad flag: rc %d %q", code, stderr)
	}
}

func TestParseArgs(t *testing.T) {
	o, err := parseArgs([]string{"-nlD", "-ilb1", "--config-test=/tmp/x.log", "-f", "/etc/k.conf", "-S", "3"})
	if err != nil {
		t.Fatal(err)
	}
	if o.configID != "lb1" || !o.configTest || o.testLog != "/tmp/x.log" || o.file != "/etc/k.conf" || o.set["log-facility"] != "3" {
		t.Errorf("%+v", o)
	}
	for _, k := range []string{"dont-fork", "log-console", "log-detail"} {
		if _, ok := o.set[k]; !ok {
			t.Errorf("%s not set", k)
		}
	}
	o, _ = parseArgs(nil)
	if o.file != "/etc/keepalived/keepalived.conf" {
		t.Errorf("default file %q", o.file)
	}
}
