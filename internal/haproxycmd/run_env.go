package haproxycmd

import (
	"encoding/base64"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/listen"
)

// applyEnv runs the configuration's setenv, presetenv, unsetenv and
// resetenv lines on the process environment, in order, as HAProxy does
// while it reads its files: the env() fetch, `show env`, external checks
// and the workers a master starts see the result. The parser already
// expanded later lines with the same effect (parser/haproxy global_env.go).
func applyEnv(ops []haproxy.EnvOp) {
	for _, op := range ops {
		a := op.Args
		switch a[0] {
		case "setenv":
			os.Setenv(a[1], a[2])
		case "presetenv":
			if _, ok := os.LookupEnv(a[1]); !ok {
				os.Setenv(a[1], a[2])
			}
		case "unsetenv":
			for _, n := range a[1:] {
				os.Unsetenv(n)
			}
		case "resetenv":
			for _, kv := range os.Environ() {
				n, _, _ := strings.Cut(kv, "=")
				if !slices.Contains(a[1:], n) && !isProcessEnv(n) {
					os.Unsetenv(n)
				}
			}
		}
	}
}

// isProcessEnv names the variables goha's own processes hand each other
// (master and worker, daemon child, inherited listeners): resetenv keeps
// them, as HAProxy's own such variables are set after its parsing.
func isProcessEnv(name string) bool {
	switch name {
	case masterChildEnv, masterCtrlEnv, masterDaemonEnv, daemonEnv, listen.EnvInherited:
		return true
	}
	return false
}

// HAProxy 2.6's own variables, which it sets in its process environment:
// the env() fetch, `show env`, "${...}" in later configuration lines, and
// the workers and programs a master starts read them. When and how each
// is set (haproxy.c, measured on 2.6.12 with -db, -W and -S):
//
//	HAPROXY_STARTUP_VERSION  before parsing, kept if already set (a
//	                         master's reload keeps the first one)
//	HAPROXY_LOCALPEER        before parsing: -L, else the host name; a
//	                         global "localpeer" line sets it as it is read
//	                         (parser/haproxy global_env.go)
//	HAPROXY_CFGFILES         after a parse without fatal errors: the files
//	                         read, joined by ';'
//	HAPROXY_MWORKER          then "1" in master-worker mode
//	HAPROXY_CLI              then the stats sockets and, in a master,
//	                         "sockpair@N" (its end of the worker's CLI
//	                         pair), joined by ';'; left alone without any
//	HAPROXY_MASTER_CLI       the master's -S listeners, last first
//
// setenv(3) and Go's os.Setenv both replace a variable in place and add a
// new one at the end: `show env` lists them in HAProxy's order.
const (
	envStartupVersion = "HAPROXY_STARTUP_VERSION"
	envLocalPeer      = "HAPROXY_LOCALPEER"
	envCfgFiles       = "HAPROXY_CFGFILES"
	envMWorker        = "HAPROXY_MWORKER"
	envCLI            = "HAPROXY_CLI"
	envMasterCLI      = "HAPROXY_MASTER_CLI"
)

// setStartEnv sets what HAProxy sets before it reads its files.
func setStartEnv(localPeer string) {
	if _, ok := os.LookupEnv(envStartupVersion); !ok {
		os.Setenv(envStartupVersion, haproxy.Version)
	}
	if localPeer == "" {
		localPeer, _ = os.Hostname()
	}
	os.Setenv(envLocalPeer, localPeer)
}

// setLoadedEnv sets what HAProxy sets once its files are read.
func setLoadedEnv(paths []string, cfg *haproxy.Config, mworker bool) {
	if files, err := haproxy.ExpandPaths(paths); err == nil {
		os.Setenv(envCfgFiles, strings.Join(files, ";"))
	}
	if mworker || cfg.Global.MasterWorker {
		os.Setenv(envMWorker, "1")
	}
	setCLIEnv(cfg, "")
}

// setCLIEnv sets HAPROXY_CLI to the stats sockets and then extra (a
// master's sockpair), or leaves it alone when there is none.
func setCLIEnv(cfg *haproxy.Config, extra string) {
	var cli []string
	for _, s := range cfg.Global.StatsSockets {
		cli = append(cli, statsSocketName(s.Addr)) // master_program_env.go
	}
	if extra != "" {
		cli = append(cli, extra)
	}
	if len(cli) > 0 {
		os.Setenv(envCLI, strings.Join(cli, ";"))
	}
}

// setEnv sets a master's HAPROXY_CLI and HAPROXY_MASTER_CLI over what its
// load set, before it starts its programs and its worker.
func (m *master) setEnv(cfg *haproxy.Config) {
	setCLIEnv(cfg, fmt.Sprintf("sockpair@%d", m.nextCtrlFD()))
	if len(m.cliAddrs) > 0 {
		masters := slices.Clone(m.cliAddrs)
		slices.Reverse(masters)
		os.Setenv(envMasterCLI, strings.Join(masters, ";"))
	}
}

// HAProxy forks its worker (and its -D child) after parsing: the child
// has the parent's environment and never parsed. goha's child parses
// again, so it gets the environment the parent's parse started from in
// parseEnvName, parses under it, and then takes the parent's back.
const parseEnvName = "GOHAPROXY_PARSE_ENV"

// lastParseEnv is the environment the last LoadConfig parsed under.
var lastParseEnv struct {
	sync.Mutex
	env []string
}

func noteParseEnv() {
	lastParseEnv.Lock()
	lastParseEnv.env = os.Environ()
	lastParseEnv.Unlock()
}

// parseEnvVar is parseEnvName=<the last parse's environment> for a child.
func parseEnvVar() string {
	lastParseEnv.Lock()
	defer lastParseEnv.Unlock()
	return parseEnvName + "=" + base64.StdEncoding.EncodeToString([]byte(strings.Join(lastParseEnv.env, "\x00")))
}

// loadAsParent is loadForRun in a child: under the environment its
// parent's parse started from, when the parent passed it.
func loadAsParent(o workerOptions, silent bool) (*haproxy.Result, int, bool) {
	v, ok := os.LookupEnv(parseEnvName)
	os.Unsetenv(parseEnvName)
	pre, err := base64.StdEncoding.DecodeString(v)
	if !ok || err != nil {
		return loadForRun(o, silent)
	}
	final := os.Environ()
	setEnviron(strings.Split(string(pre), "\x00"))
	defer setEnviron(final)
	return loadForRun(o, silent)
}

// setEnviron makes env (KEY=value lines) the process environment, in
// its order.
func setEnviron(env []string) {
	os.Clearenv()
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			os.Setenv(k, v)
		}
	}
}
