package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"

	"github.com/goha-lb/goha/internal/keepalivedcmd"
	ka "github.com/goha-lb/goha/parser/keepalived"
)

// version is what -v prints; the keepalived release whose behaviour we follow.
const version = "gokeepalived (goha) compatible with Keepalived v2.2.7"

// flagSpec describes one keepalived 2.2.7 command-line option.
type flagSpec struct {
	short, long string
	arg         int // 0 none, 1 required, 2 optional (only as --long=VAL or -xVAL)
	help        string
	supported   bool
}

// refusedFlags are the options gokeepalived does not act on whose effect
// matters, by long name, with why ignoring one would change what the
// daemon does: they are refused (fail closed) unless --allow-unsupported.
// The others only warn.
var refusedFlags = map[string]string{
	"check":             "gokeepalived has no health-checker process: it would run VRRP instead",
	"release-vips":      "VIPs are not dropped on a transition caused by a signal",
	"dont-release-vrrp": "VIPs and routes would be removed when the daemon stops",
	"namespace":         "VRRP would run in the current network namespace",
	"genhash":           "the genhash utility is not part of gokeepalived",
	"snmp":              "gokeepalived has no SNMP subsystem",
	"snmp-agent-socket": "gokeepalived has no SNMP subsystem",
	"all-config":        "a missing configuration file would not be an error",
}

var flagSpecs = []flagSpec{
	{"f", "use-file", 1, "Use the specified configuration file", true},
	{"P", "vrrp", 0, "Only run with VRRP subsystem", true},
	{"C", "check", 0, "Only run with Health-checker subsystem", false},
	{"B", "no_bfd", 0, "Don't run BFD subsystem", true},
	{"", "all", 0, "Force all child processes to run, even if have no configuration", false},
	{"l", "log-console", 0, "Log messages to local console", true},
	{"D", "log-detail", 0, "Detailed log messages", true},
	{"S", "log-facility", 1, "0-7 Set syslog facility to LOG_LOCAL[0-7]", true},
	{"G", "no-syslog", 0, "Don't log via syslog", true},
	{"u", "umask", 1, "umask for file creation (in numeric form)", false},
	{"X", "release-vips", 0, "Drop VIP on transition from signal.", false},
	{"V", "dont-release-vrrp", 0, "Don't remove VRRP VIPs and VROUTEs on daemon stop", false},
	{"I", "dont-release-ipvs", 0, "Don't remove IPVS topology on daemon stop", false},
	{"R", "dont-respawn", 0, "Don't respawn child processes", true},
	{"n", "dont-fork", 0, "Don't fork the daemon process", true},
	{"d", "dump-conf", 0, "Dump the configuration data", false},
	{"p", "pid", 1, "Use specified pidfile for parent process", true},
	{"r", "vrrp_pid", 1, "Use specified pidfile for VRRP child process", true},
	{"c", "checkers_pid", 1, "Use specified pidfile for checkers child process", false},
	{"b", "bfd_pid", 1, "Use specified pidfile for BFD child process", false},
	{"T", "genhash", 0, "Enter genhash utility mode (this should be the first option used).", false},
	{"a", "address-monitoring", 0, "Report all address additions/deletions notified via netlink", false},
	{"x", "snmp", 0, "Enable SNMP subsystem", false},
	{"A", "snmp-agent-socket", 1, "Use the specified socket for master agent", false},
	{"s", "namespace", 1, "Run in network namespace NAME (overrides config)", false},
	{"m", "core-dump", 0, "Produce core dump if terminate abnormally", false},
	{"M", "core-dump-pattern", 2, "Also set /proc/sys/kernel/core_pattern to PATN (default 'core')", false},
	{"e", "all-config", 0, "Error if any configuration file missing (same as includef)", false},
	{"i", "config-id", 1, "Skip any configuration lines beginning '@' that don't match id", true},
	{"", "signum", 1, "Return signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON", true},
	{"t", "config-test", 2, "Check the configuration for obvious errors, output to stderr by default", true},
	{"", "allow-unsupported", 0, "goha: run without the configuration features gokeepalived does not support (also GOHA_ALLOW_UNSUPPORTED=1); without it such a configuration is refused", true},
	{"", "metrics-address", 1, "goha: serve Prometheus metrics at http://ARG/metrics, ARG being ADDR:PORT (e.g. 127.0.0.1:9650); off by default", true},
	{"v", "version", 0, "Display the version number", true},
	{"h", "help", 0, "Display this help message", true},
}

// options holds the parsed command line.
type options struct {
	file       string
	configTest bool
	testLog    string
	configID   string
	signum     string
	help       bool
	version    bool
	// allowUnsupported is the operator's override of the fail-closed
	// policy: --allow-unsupported or GOHA_ALLOW_UNSUPPORTED=1.
	allowUnsupported bool
	// metricsAddr is --metrics-address (ADDR:PORT); empty: no listener.
	metricsAddr string
	// ignored lists, as typed, the options accepted but not supported;
	// refused those of them whose effect matters (refusedFlags), with why.
	ignored []string
	refused map[string]string
	set     map[string]string // long name -> value for everything else
}

// allowUnsupportedEnv is the environment form of --allow-unsupported.
const allowUnsupportedEnv = keepalivedcmd.AllowUnsupportedEnv

func lookupShort(s string) *flagSpec {
	for i := range flagSpecs {
		if flagSpecs[i].short == s {
			return &flagSpecs[i]
		}
	}
	return nil
}

func lookupLong(s string) *flagSpec {
	var found *flagSpec
	for i := range flagSpecs {
		if flagSpecs[i].long == s {
			return &flagSpecs[i]
		}
		// getopt_long accepts unambiguous prefixes
		if strings.HasPrefix(flagSpecs[i].long, s) {
			if found != nil {
				return nil
			}
			found = &flagSpecs[i]
		}
	}
	return found
}

// parseArgs follows getopt_long's rules as keepalived uses them.
func parseArgs(args []string) (*options, error) {
	o := &options{file: ka.DefaultConfigFile, set: map[string]string{},
		allowUnsupported: os.Getenv(allowUnsupportedEnv) == "1"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		var spec *flagSpec
		val, hasVal := "", false
		typed := a // the option as written, for the "ignored" warning
		switch {
		case strings.HasPrefix(a, "--") && len(a) > 2:
			name := a[2:]
			if k, v, ok := strings.Cut(name, "="); ok {
				name, val, hasVal = k, v, true
			}
			typed = "--" + name
			spec = lookupLong(name)
			if spec == nil {
				return nil, fmt.Errorf("unrecognized option '%s'", a)
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			typed = a[:2]
			spec = lookupShort(a[1:2])
			if spec == nil {
				return nil, fmt.Errorf("invalid option -- '%s'", a[1:2])
			}
			if len(a) > 2 {
				if spec.arg == 0 {
					// bundled short flags: -nlD
					args = append(args[:i+1], append([]string{"-" + a[2:]}, args[i+1:]...)...)
				} else {
					val, hasVal = a[2:], true
				}
			}
		default:
			return nil, fmt.Errorf("non-option argument '%s'", a)
		}
		if spec.arg == 1 && !hasVal {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("option '%s' requires an argument", a)
			}
			i++
			val, hasVal = args[i], true
		}
		if spec.arg == 0 && hasVal {
			return nil, fmt.Errorf("option '--%s' doesn't allow an argument", spec.long)
		}
		if !spec.supported && !slices.Contains(o.ignored, typed) {
			o.ignored = append(o.ignored, typed)
			if why := refusedFlags[spec.long]; why != "" {
				if o.refused == nil {
					o.refused = map[string]string{}
				}
				o.refused[typed] = why
			}
		}
		switch spec.long {
		case "allow-unsupported":
			o.allowUnsupported = true
		case "use-file":
			o.file = val
		case "config-test":
			o.configTest, o.testLog = true, val
		case "config-id":
			o.configID = val
		case "metrics-address":
			if _, _, err := net.SplitHostPort(val); err != nil {
				return nil, fmt.Errorf("option '--metrics-address' wants ADDR:PORT: %v", err)
			}
			o.metricsAddr = val
		case "signum":
			o.signum = val
		case "help":
			o.help = true
		case "version":
			o.version = true
		default:
			o.set[spec.long] = val
		}
	}
	return o, nil
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: gokeepalived [OPTION...]\n")
	for _, f := range flagSpecs {
		name := "    "
		if f.short != "" {
			name = "-" + f.short + ", "
		}
		name += "--" + f.long
		switch f.arg {
		case 1:
			name += " ARG"
		case 2:
			name += "[=ARG]"
		}
		note := ""
		switch {
		case refusedFlags[f.long] != "":
			note = " (not supported by gokeepalived: refused unless --allow-unsupported)"
		case !f.supported:
			note = " (accepted, not supported by gokeepalived: ignored)"
		}
		fmt.Fprintf(w, "  %-32s %s%s\n", name, f.help, note)
	}
}

// signums are the numbers keepalived 2.2.7 prints for --signum on Linux.
var signums = map[string]int{"STOP": 15, "RELOAD": 1, "DATA": 10, "STATS": 12, "STATS_CLEAR": 63, "JSON": 36}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
		usage(stderr)
		return 1
	}
	switch {
	case o.help:
		usage(stderr)
		return 0
	case o.version:
		fmt.Fprintln(stderr, version)
		return 0
	case o.signum != "":
		n, ok := signums[o.signum]
		if !ok {
			fmt.Fprintf(stderr, "Unknown sigfunc %s\n", o.signum)
			return 1
		}
		fmt.Fprintln(stdout, n)
		return 0
	case len(o.refused) > 0 && !o.allowUnsupported:
		for _, f := range o.ignored {
			if why, ok := o.refused[f]; ok {
				fmt.Fprintf(stderr, "goha: command line option '%s' is not supported by gokeepalived (%s); pass --allow-unsupported (or %s=1) to run without it.\n", f, why, allowUnsupportedEnv)
			}
		}
		return 1
	case o.configTest:
		out := stderr
		if o.testLog != "" {
			f, err := os.OpenFile(o.testLog, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
				return 1
			}
			defer f.Close()
			out = f
		}
		for _, f := range o.ignored {
			fmt.Fprintln(out, ignoredOptionText(f))
		}
		return ConfigTest(o.file, o.configID, keepalivedcmd.HostInterfaces(), o.allowUnsupported, out)
	}
	return keepalivedcmd.Run(daemonOptions(o, args), stderr)
}

// daemonOptions is what the command line decides for the daemon.
func daemonOptions(o *options, args []string) keepalivedcmd.Options {
	d := keepalivedcmd.Options{
		File: o.file, ConfigID: o.configID, AllowUnsupported: o.allowUnsupported,
		MetricsAddr: o.metricsAddr,
		DontFork:    hasFlag(o, "dont-fork"),
		LogConsole:  hasFlag(o, "log-console"), LogDetail: hasFlag(o, "log-detail"), NoSyslog: hasFlag(o, "no-syslog"),
		PidFile: o.set["pid"], VRRPPidFile: o.set["vrrp_pid"],
		Args: args,
	}
	if s, ok := o.set["log-facility"]; ok {
		d.LogFacility = &s
	}
	for _, f := range o.ignored {
		d.Notices = append(d.Notices, ignoredOptionText(f))
	}
	return d
}

func hasFlag(o *options, long string) bool { _, ok := o.set[long]; return ok }

// ignoredOptionText is the warning for a command-line option accepted but
// not supported, in gohaproxy's words.
func ignoredOptionText(f string) string {
	return fmt.Sprintf("goha: command line option '%s' is accepted but not supported yet: ignored.", f)
}

// ConfigTest is `-t`: lint the file, print keepalived's messages (plus goha's
// notices and hints) and return keepalived's exit status — except that a
// named config file gokeepalived cannot read fails with 4 (keepalived: 0),
// and that a file using a feature gokeepalived does not run fails with
// ka.ExitUnsupported unless allowUnsupported.
func ConfigTest(file, configID string, interfaces []string, allowUnsupported bool, out io.Writer) int {
	if configID == "" {
		configID = ka.DefaultConfigID()
	}
	r := ka.Lint(ka.Options{File: file, ConfigID: configID, Interfaces: interfaces, AllowUnsupported: allowUnsupported})
	diags := r.Diagnostics
	code := r.LintExitCode
	if r.Config != nil {
		// Route and rule options the daemon cannot install, named as the
		// parser names unsupported keywords.
		routes := ka.RouteDiagnostics(r.Config, allowUnsupported)
		diags = append(diags, routes...)
		if code == 0 && ka.RefusesStart(routes) {
			code = ka.ExitUnsupported
		}
	}
	fmt.Fprint(out, ka.Format(diags))
	return code
}
