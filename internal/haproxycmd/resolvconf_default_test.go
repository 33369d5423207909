package haproxycmd

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/dnstest"
	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// checkHelperEnv names the configuration TestGohaproxyCheckHelper checks.
const checkHelperEnv = "GOHA_TEST_CHECK_CFG"

// TestGohaproxyCheckHelper is not a test: run as a child process with
// checkHelperEnv set, it is `gohaproxy -c -f FILE` (in the child's mount
// namespace), its exit code written last to stderr as "exit: N".
func TestGohaproxyCheckHelper(t *testing.T) {
	path := os.Getenv(checkHelperEnv)
	if path == "" {
		t.Skip("a helper process: runs only with " + checkHelperEnv)
	}
	code := Run(&Options{Files: []string{path}, Check: true}, io.Discard, os.Stderr)
	fmt.Fprintf(os.Stderr, "exit: %d\n", code)
}

// withResolvConf is argv run in a mount namespace of its own where the
// file resolv is mounted over /etc/resolv.conf: the host's file is not
// touched, and the mount goes away with the process.
func withResolvConf(resolv string, argv ...string) []string {
	return append([]string{"unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount --bind "$0" /etc/resolv.conf && exec "$@"`, resolv}, argv...)
}

// implicitCfg uses the implicit "default" resolvers section twice: in
// do-resolve (%[2]s) and for a server following srv.test (%[3]s, the web
// server's port %[4]d).
const implicitCfg = adminHead + `frontend fe
    bind %[2]s
    http-request do-resolve(txn.ip,default,ipv4) hdr(x-name)
    http-request return status 200 content-type text/plain lf-string "ip=%%[var(txn.ip)]"
listen viasrv
    bind %[3]s
    server f srv.test:%[4]d resolvers default init-addr none
`

// TestImplicitResolversMatchesHAProxy: with no resolvers section named
// "default", HAProxy 2.6 makes one from /etc/resolv.conf. Both daemons
// run in a mount namespace whose /etc/resolv.conf is the test's: with a
// nameserver (a DNS server on port 53 of a loopback address, written
// twice, beside lines HAProxy skips), do-resolve through "default" stores
// the answer and asks what HAProxy asks (one question for a name that
// resolves; for NXDOMAIN both types, three tries a second apart: the
// section's defaults), a server with `resolvers
// default` follows its name, and `show resolvers` lists the section last
// with one nameserver named by its address; with a file that lists no
// usable nameserver, -c reports both references as HAProxy does. An
// explicit parse-resolv-conf: -c warns about the lines it leaves out (in
// one warning) and alerts without the file, and a nameserver named as
// one before it (resolv.conf's too) is alerted, as HAProxy does.
func TestImplicitResolversMatchesHAProxy(t *testing.T) {
	testenv.Root(t)
	hp := testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "unshare")
	var dns *dnstest.Server
	for i := range 10 { // a loopback address of its own, on port 53
		pid := os.Getpid() + i
		d, err := dnstest.StartOn(fmt.Sprintf("127.%d.%d.53:53", 100+pid%100, 1+pid/100%250))
		if err == nil {
			dns = d
			break
		}
	}
	if dns == nil {
		t.Fatal("no loopback address with port 53 free")
	}
	t.Cleanup(dns.Close)
	nsAddr := strings.TrimSuffix(dns.Addr(), ":53")
	dns.Set("a.test", "127.0.0.7")
	dns.Set("srv.test", "127.0.0.7")
	port := webOnIPs(t, map[string]string{"127.0.0.7": "seven"})
	dir := t.TempDir()
	resolv := filepath.Join(dir, "resolv.conf")
	os.WriteFile(resolv, []byte("# the test's\nsearch test\nnameserver "+nsAddr+"\nnameserver "+nsAddr+
		"\nnameservers 127.0.0.1\n nameserver 127.0.0.1\nnameserver\nnameserver not-an-address\n"), 0o644)

	var got [2][]string
	var took [2]time.Duration // the NXDOMAIN's wait: the section's tries and timeout retry
	for i, ha := range []bool{true, false} {
		sub := filepath.Join(dir, fmt.Sprint(i))
		os.Mkdir(sub, 0o755)
		fe, vs := loopback.FreeAddr(t), loopback.FreeAddr(t)
		cfg := filepath.Join(sub, "r.cfg")
		os.WriteFile(cfg, []byte(fmt.Sprintf(implicitCfg, sub, fe, vs, port)), 0o644)
		argv := []string{hp, "-db", "-f", cfg}
		if !ha {
			argv = []string{"env", helperCfgEnv + "=" + cfg, os.Args[0], "-test.run=^TestGohaproxyHelper$", "-test.count=1"}
		}
		errs := &haproxytest.Buffer{}
		cmd := exec.Command(withResolvConf(resolv, argv...)[0], withResolvConf(resolv, argv...)[1:]...)
		cmd.Stderr = errs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		loopback.WaitListen(t, fe)
		for _, name := range []string{"a.test", "nx.test"} {
			before, start := dns.Asked(name), time.Now()
			body := doResolveGet(t, fe, name, "")
			took[i] = time.Since(start)
			got[i] = append(got[i], fmt.Sprintf("%s: %s (%d questions)", name, body, dns.Asked(name)-before))
		}
		server := ""
		for try := 0; try < 40 && server != "seven"; try++ {
			if server = tcpGet(t, vs); server != "seven" {
				time.Sleep(100 * time.Millisecond)
			}
		}
		got[i] = append(got[i], "server: "+server)
		sock := filepath.Join(sub, "s.sock")
		show := haproxytest.StatsCmd(t, sock, "show resolvers")
		for _, l := range strings.Split(show, "\n") {
			if strings.HasPrefix(l, "Resolvers section") || strings.HasPrefix(l, " nameserver") {
				got[i] = append(got[i], l)
			}
		}
		if !regexp.MustCompile(`(?m)^  valid: +[1-9]`).MatchString(show) {
			t.Errorf("%s: show resolvers counts no valid answer:\n%s", argv[0], show)
		}
		got[i] = append(got[i], "show resolvers default: "+strings.SplitN(haproxytest.StatsCmd(t, sock, "show resolvers default"), "\n", 2)[0])
		if t.Failed() {
			t.Logf("%s stderr:\n%s", argv[0], errs)
		}
	}
	want := []string{"a.test: ip=127.0.0.7 (1 questions)", "nx.test: ip= (6 questions)", "server: seven",
		"Resolvers section default", " nameserver " + nsAddr + ":", "show resolvers default: Resolvers section default"}
	diffLines(t, "HAProxy (the test's premise)", want, got[0])
	diffLines(t, "goha", got[0], got[1])
	if took[0] < 2*time.Second || took[1] < 2*time.Second || (took[1]-took[0]).Abs() > 500*time.Millisecond {
		t.Errorf("nx.test waited %v (haproxy) and %v (goha): want about 2s each (3 tries, timeout retry 1s)", took[0], took[1])
	}

	// -c: with no usable nameserver, no implicit section and both
	// references reported; an explicit parse-resolv-conf warns about the
	// lines it leaves out, and cannot do without the file
	noNS := fmt.Sprintf(implicitCfg, dir, loopback.FreeAddr(t), loopback.FreeAddr(t), port)
	explicit := "resolvers dns\n    nameserver 127.0.0.1 127.0.0.1:53\n    parse-resolv-conf\n" +
		strings.ReplaceAll(noNS, "resolvers default", "resolvers dns")
	for _, c := range []struct {
		name, resolv, cfg string
		want              []string
	}{
		{"no usable nameserver", "nameserver\nnameserver not-an-address\n nameserver 127.0.0.1\n", noNS, []string{
			"ALERT config : Proxy 'fe': Can't find resolvers section 'default' for do-resolve action.",
			"ALERT config : proxy 'viasrv', server 'f': unable to find required resolvers 'default'",
			"ALERT config : Fatal errors found in configuration.", "exit 1"}},
		{"parse-resolv-conf", "nameserver\nnameserver bogus\nnameserver 127.0.0.1\nnameserver 127.0.0.2\nnameserver 127.0.0.2\n", explicit, []string{
			"WARNING config : parsing [c.cfg:3]: ",
			"        parsing [/etc/resolv.conf:1] : nameserver line is missing address.",
			"        parsing [/etc/resolv.conf:2] : address 'bogus' could not be recognized, nameserver will be excluded.",
			"        Parsing [/etc/resolv.conf:3] : generated name for /etc/resolv.conf nameserver '127.0.0.1' conflicts with another nameserver (declared at c.cfg:2), it appears to be a duplicate and will be excluded.",
			"        Parsing [/etc/resolv.conf:5] : generated name for /etc/resolv.conf nameserver '127.0.0.2' conflicts with another nameserver (declared at /etc/resolv.conf:4), it appears to be a duplicate and will be excluded.",
			"exit 0"}}, // resolv.conf lists usable nameservers: "default" exists
		{"a repeated nameserver name", "nameserver 127.0.0.1\n", "resolvers dns\n    parse-resolv-conf\n" +
			"    nameserver 127.0.0.1 127.0.0.1:53\n    nameserver a 127.0.0.2:53\n    nameserver a 127.0.0.3:53\n" +
			"    nameserver a 127.0.0.4:53\n" + strings.ReplaceAll(noNS, "resolvers default", "resolvers dns"), []string{
			"ALERT config : Parsing [c.cfg:3]: nameserver '127.0.0.1' has same name as another nameserver (declared at /etc/resolv.conf:1).",
			"ALERT config : Parsing [c.cfg:5]: nameserver 'a' has same name as another nameserver (declared at c.cfg:4).",
			"ALERT config : Parsing [c.cfg:6]: nameserver 'a' has same name as another nameserver (declared at c.cfg:4).",
			"ALERT config : Parsing [c.cfg:6]: nameserver 'a' has same name as another nameserver (declared at c.cfg:5).",
			"ALERT config : Error(s) found in configuration file : c.cfg",
			"ALERT config : Fatal errors found in configuration.", "exit 1"}},
		{"parse-resolv-conf without the file", "", explicit, []string{
			"ALERT config : parsing [c.cfg:3]: failed to open /etc/resolv.conf.",
			"ALERT config : Error(s) found in configuration file : c.cfg",
			"ALERT config : Fatal errors found in configuration.", "exit 1"}},
	} {
		os.WriteFile(filepath.Join(dir, "c.cfg"), []byte(c.cfg), 0o644)
		os.WriteFile(resolv, []byte(c.resolv), 0o644)
		var check [2][]string
		for i, argv := range [][]string{{hp, "-c", "-f", "c.cfg"},
			{"env", checkHelperEnv + "=c.cfg", os.Args[0], "-test.run=^TestGohaproxyCheckHelper$", "-test.count=1"}} {
			if c.resolv == "" { // /etc/resolv.conf is not there
				argv = append([]string{"unshare", "--mount", "--propagation", "private", "sh", "-c",
					`mount -t tmpfs none /etc && exec "$@"`, "sh"}, argv...)
			} else {
				argv = withResolvConf(resolv, argv...)
			}
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Dir = dir
			out := &haproxytest.Buffer{}
			cmd.Stderr = out
			err := cmd.Run()
			code := 0
			if e, ok := err.(*exec.ExitError); ok {
				code = e.ExitCode()
			}
			for _, l := range strings.Split(out.String(), "\n") {
				if m := regexp.MustCompile(`^\[(ALERT|WARNING)\] +\(\d+\) : (.*)`).FindStringSubmatch(l); m != nil {
					check[i] = append(check[i], m[1]+" "+m[2])
				} else if c, ok := strings.CutPrefix(l, "exit: "); ok {
					fmt.Sscan(c, &code)
				} else if strings.HasPrefix(l, "        ") {
					check[i] = append(check[i], l)
				}
			}
			check[i] = append(check[i], fmt.Sprint("exit ", code))
		}
		diffLines(t, c.name+": HAProxy -c (the test's premise)", c.want, check[0])
		diffLines(t, c.name+": goha -c", check[0], check[1])
	}
}
