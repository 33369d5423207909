package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/internal/haproxycmd"
	"github.com/goha-lb/goha/parser/haproxy"
)

// flags holds HAProxy 2.6's command line: what the daemon acts on in
// haproxycmd.Options, and what only the command sees. Every flag acts as
// in HAProxy except those inactive() lists, which are accepted so existing
// unit files and scripts work and are named in a startup warning.
type flags struct {
	haproxycmd.Options
	version, versionVerbose, help bool
	memMB                         string
	other                         []string // -de -dp -dG ... accepted, no effect
}

// inactive lists the flags given that gohaproxy accepts without acting on
// them, as they were written.
func (f *flags) inactive() []string {
	var out []string
	if f.memMB != "" {
		out = append(out, "-m "+f.memMB)
	}
	return append(out, f.other...)
}

func parseFlags(args []string) (*flags, error) {
	f := &flags{}
	f.AllowUnsupported = os.Getenv(haproxy.AllowUnsupportedEnv) == "1"
	f, err := f.parse(args)
	if err != nil {
		return nil, err
	}
	f.Inactive = f.inactive()
	return f, nil
}

func (f *flags) parse(args []string) (*flags, error) {
	need := func(i *int, name string) (string, error) {
		if *i+1 >= len(args) {
			return "", fmt.Errorf("option %s requires an argument", name)
		}
		*i++
		return args[*i], nil
	}
	var err error
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			f.Files = append(f.Files, args[i+1:]...)
			return f, nil
		case a == "-f":
			var v string
			if v, err = need(&i, a); err != nil {
				return nil, err
			}
			f.Files = append(f.Files, v)
		case a == "-c":
			f.Check = true
		case a == "-q":
			f.Quiet = true
		case a == "-V":
			f.Verbose = true
		case a == "-v":
			f.version = true
		case a == "-vv":
			f.versionVerbose = true
		case a == "--allow-unsupported":
			f.AllowUnsupported = true
		case a == "-h" || a == "--help":
			f.help = true
		case a == "-D":
			f.Daemon = true
		case a == "-W":
			f.MasterWorker = true
		case a == "-Ws":
			f.MasterWorker, f.Systemd = true, true
		case a == "-d":
			f.Debug = true
		case a == "-db":
			f.NoBackground = true
		case a == "-dW":
			f.FailOnWarning = true
		case a == "-dD":
			f.Diagnostic = true
		case a == "-dS":
			f.NoSplice = true // HAProxy: the same as global `nosplice`
		case a == "-p" || a == "-L" || a == "-x" || a == "-C" || a == "-n" || a == "-N" || a == "-m" || a == "-S":
			var v string
			if v, err = need(&i, a); err != nil {
				return nil, err
			}
			switch a {
			case "-p":
				f.Pidfile = v
			case "-L":
				f.LocalPeer = v
			case "-x":
				f.SocketFrom = v
			case "-C":
				f.Chdir = v
			case "-n":
				f.MaxConn = atoi(v)
			case "-N":
				f.MaxPConn = atoi(v)
			case "-m":
				f.memMB = v
			case "-S":
				f.MasterCLI = append(f.MasterCLI, v)
			}
		case a == "-sf" || a == "-st":
			var pids []string
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				pids = append(pids, args[i])
			}
			if a == "-sf" {
				f.SoftStop = pids
			} else {
				f.HardStop = pids
			}
		case strings.HasPrefix(a, "-d"):
			f.other = append(f.other, a)
		case !strings.HasPrefix(a, "-"):
			// HAProxy takes bare arguments after the options as files too.
			f.Files = append(f.Files, a)
		default:
			return nil, fmt.Errorf("unknown option '%s'", a)
		}
	}
	return f, nil
}

// atoi reads -n and -N; a value that is no number is 0, not given.
func atoi(v string) int {
	n, _ := strconv.Atoi(v)
	return n
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage : gohaproxy [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -n <maxconn> ] [ -N <maxpconn> ]
        [ -p <pidfile> ] [ -m <max megs> ] [ -C <dir> ] [-- <cfgfile>*]
        -v displays version ; -vv shows known build options.
        -V enters verbose mode (also prints goha's notices)
        --allow-unsupported runs a configuration that uses features goha does
          not implement, without them (also GOHA_ALLOW_UNSUPPORTED=1). Without
          it such a configuration is refused: -c and startup print an ALERT
          naming file:line and the feature, and exit 1.
        -q quiet mode : don't display messages
        -c check mode : only check config files and exit
        -dW fails if any warning is emitted
        -dD diagnostic mode : prints .diag messages
        -D goes daemon ; -p writes pids of all children to this file
        -d/-db stay in foreground (-d also enables debug mode in HAProxy)
        -W master-worker mode ; -Ws master-worker mode with systemd notify support.
        -S <bind>[,<bind options>...] new master CLI
        -sf/-st [pid ]* finishes/terminates old pids.
        -x <unix_socket> get listening sockets from a unix socket
        -C <dir> changes to directory <dir> before loading files
        -n sets the maximum total # of connections ; -N the default per-proxy maximum
        -dS disables splice usage (as global nosplice)
Accepted for compatibility but NOT ACTIVE YET (a startup warning names them):
        -de -dp -dG -dR -dr -dV -dL -dK -dM
        -L <name> -m
`)
}
