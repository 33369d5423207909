package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func runArgs(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckSeed(t *testing.T) {
	code, out, errs := runArgs("-c", "-f", "../../testdata/seed/haproxy.cfg")
	// ssl-default-server-ciphers (line 40) is read by TLS servers now: no
	// warning, though the seed has none.
	if code != 0 || out != "Configuration file is valid\n" || withoutSeedInertWarnings(errs) != "" ||
		strings.Contains(errs, "haproxy.cfg:40]") {
		t.Fatalf("code %d out %q err %q", code, out, errs)
	}
}

func TestCheckErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "bad.cfg")
	os.WriteFile(p, []byte("global\n    daemn\n"), 0o644)
	code, out, errs := runArgs("-c", "-f", p)
	if code != 1 || out != "" {
		t.Fatalf("code %d out %q", code, out)
	}
	want := regexp.MustCompile(`(?m)^\[ALERT\]    \(\d+\) : config : parsing \[` + regexp.QuoteMeta(p) + `:2\] : unknown keyword 'daemn' in 'global' section; did you mean 'daemon' maybe \?$`)
	if !want.MatchString(errs) || !strings.Contains(errs, "Fatal errors found in configuration.") {
		t.Errorf("stderr:\n%s", errs)
	}
	// -q silences everything but keeps the verdict.
	code, out, errs = runArgs("-c", "-q", "-f", p)
	if code != 1 || out != "" || errs != "" {
		t.Errorf("-q: code %d out %q err %q", code, out, errs)
	}
}

func TestMissingAndEmpty(t *testing.T) {
	code, _, errs := runArgs("-c", "-f", "/nonexistent.cfg")
	if code != 1 || !strings.Contains(errs, "Cannot open configuration file/directory /nonexistent.cfg : No such file or directory") ||
		!strings.Contains(errs, "Usage : gohaproxy") {
		t.Errorf("missing file: %d %q", code, errs)
	}
	code, _, errs = runArgs("-c", "-f", t.TempDir())
	if code != 1 || !strings.Contains(errs, "Usage : gohaproxy") {
		t.Errorf("empty dir: %d %q", code, errs)
	}
}

func TestFlags(t *testing.T) {
	code, out, _ := runArgs("-v")
	if code != 0 || !strings.Contains(out, "goha") || !strings.Contains(out, "2.6.12") {
		t.Errorf("-v: %d %q", code, out)
	}
	code, out, _ = runArgs("-vv")
	if code != 0 || !strings.Contains(out, "+OPENSSL") || !strings.Contains(out, "+LINUX_SPLICE") {
		t.Errorf("-vv: %d %q", code, out)
	}
	code, _, errs := runArgs("-h")
	if code != 1 || !strings.Contains(errs, "NOT ACTIVE YET") {
		t.Errorf("-h: %d %q", code, errs)
	}
	// Run mode with a file that cannot be read stops before going daemon.
	code, _, errs = runArgs("-f", "/nonexistent.cfg", "-W", "-D", "-p", "/tmp/x.pid", "-sf", "1", "2", "-dW")
	if code != 1 || !strings.Contains(errs, "Cannot open configuration file/directory /nonexistent.cfg") {
		t.Errorf("run mode: %d %q", code, errs)
	}
	code, _, errs = runArgs("-Z")
	if code != 1 || !strings.Contains(errs, "unknown option '-Z'") {
		t.Errorf("bad flag: %d %q", code, errs)
	}
	// Flags accepted without effect are named in a warning at start.
	code, _, errs = runArgs("-f", "/nonexistent.cfg", "-dS", "-dp", "-m", "64", "-L", "lb1")
	for _, w := range []string{"-dp", "-m 64"} {
		if !strings.Contains(errs, "[WARNING]  ") || !strings.Contains(errs, "goha: command line option '"+w+"' is accepted but not supported yet: ignored.") {
			t.Errorf("inactive flag %s not warned about: %d %q", w, code, errs)
		}
	}
	if strings.Contains(errs, "'-dS'") || strings.Contains(errs, "'-L lb1'") {
		t.Errorf("-dS (no splice) and -L (local peer name) act but were warned about: %q", errs)
	}
	fl, err := parseFlags([]string{"-c", "-f", "a", "-f", "b", "-sf", "10", "11", "-x", "/s", "--", "c"})
	if err != nil || strings.Join(fl.Files, ",") != "a,b,c" || strings.Join(fl.SoftStop, ",") != "10,11" || fl.SocketFrom != "/s" {
		t.Errorf("parseFlags = %+v, %v", fl, err)
	}
}

func TestZeroWarning(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "w.cfg")
	os.WriteFile(p, []byte("frontend fe\n    bind 127.0.0.1:8080\n"), 0o644)
	code, out, errs := runArgs("-c", "-f", p)
	if code != 0 || out != "Warnings were found.\nConfiguration file is valid\n" || !strings.Contains(errs, "missing timeouts for frontend 'fe'") {
		t.Fatalf("plain: %d %q %q", code, out, errs)
	}
	code, out, errs = runArgs("-c", "-dW", "-f", p)
	if code != 1 || out != "" || !strings.Contains(errs, "Some warnings were found and 'zero-warning' is set. Aborting.") {
		t.Errorf("-dW: %d %q %q", code, out, errs)
	}
}

// -vv tells the truth: no +LUA, +PROMEX ... until goha has them; +OPENSSL
// (TLS by Go's crypto/tls) with HAProxy's OpenSSL lines, in its format.
func TestVersionFeaturesTruthful(t *testing.T) {
	_, out, _ := runArgs("-vv")
	for _, line := range []string{" +OPENSSL ", "\nBuilt with OpenSSL version : none, TLS by Go crypto/tls " + runtime.Version() + "\n",
		"\nOpenSSL library supports TLS extensions : yes\n", "\nOpenSSL library supports SNI : yes\n",
		"\nOpenSSL library supports : TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3\n"} {
		if !strings.Contains(out, line) {
			t.Errorf("-vv lacks %q:\n%s", line, out)
		}
	}
	for _, absent := range []string{"LUA", "PROMEX", "PCRE2", "OT", "SLZ", "ZLIB", "QUIC"} {
		if !strings.Contains(out, " -"+absent+" ") && !strings.Contains(out, " -"+absent+"\n") || strings.Contains(out, "+"+absent+" ") {
			t.Errorf("-vv does not say -%s:\n%s", absent, out)
		}
	}
	if !strings.Contains(out, " +LINUX_SPLICE ") {
		t.Errorf("-vv lacks +LINUX_SPLICE:\n%s", out)
	}
}

// -L names the local peer as in HAProxy: global "localpeer" is then
// ignored with HAProxy's warning, and peers sections are kept or dropped
// by that name.
func TestLocalPeerFlag(t *testing.T) {
	p := filepath.Join(t.TempDir(), "l.cfg")
	os.WriteFile(p, []byte("global\n    localpeer lb1\npeers p\n    peer lb1 127.0.0.1:10001\n    peer lb2 127.0.0.1:10002\n"), 0o644)
	_, _, errs := runArgs("-c", "-f", p, "-L", "lb9")
	for _, w := range []string{
		"parsing [" + p + ":2] : 'localpeer' ignored since it is already set by using the '-L' command line argument.",
		"Removing incomplete section 'peers p' (no peer named 'lb9').",
	} {
		if !strings.Contains(errs, w) {
			t.Errorf("-L lb9: no %q in %q", w, errs)
		}
	}
	if _, _, errs = runArgs("-c", "-f", p, "-L", "lb2"); strings.Contains(errs, "Removing incomplete section") {
		t.Errorf("-L lb2 dropped the section: %q", errs)
	}
}
