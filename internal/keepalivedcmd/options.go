// Package keepalivedcmd is gokeepalived's daemon: the process model around
// the VRRP runner (package vrrp/daemon) — fork into the background, pid
// files, syslog and console logging, loading and refusing configurations,
// signals (stop, reload, dumps), systemd notification and the metrics
// listener. cmd/gokeepalived parses keepalived's command line into Options
// and calls Run; everything the command line does not decide lives here,
// so the command stays flags and main (as mdlayher/ndp's cmd/ndp over
// internal/ndpcmd).
package keepalivedcmd

import "net"

// Options is what keepalived's command line decides for the daemon.
type Options struct {
	// File is the configuration file (-f); ConfigID selects '@' lines
	// (-i; empty: the host name, as keepalived).
	File, ConfigID string
	// AllowUnsupported is the operator's override of the fail-closed
	// policy: --allow-unsupported or GOHA_ALLOW_UNSUPPORTED=1.
	AllowUnsupported bool
	// MetricsAddr is --metrics-address (ADDR:PORT); empty: no listener.
	MetricsAddr string
	// DontFork is -n: run in the foreground.
	DontFork bool
	// LogConsole (-l), LogDetail (-D) and NoSyslog (-G) are keepalived's
	// logging switches; LogFacility is -S as typed (nil without -S:
	// daemon), checked when the daemon opens its log.
	LogConsole, LogDetail, NoSyslog bool
	LogFacility                     *string
	// PidFile (-p) and VRRPPidFile (-r); empty: keepalived's defaults.
	PidFile, VRRPPidFile string
	// Args is the command line as given (without the program name): the
	// "Command line:" log line and the arguments of the forked child.
	Args []string
	// Notices are logged right after the start lines (the command line's
	// warnings about options accepted but not supported).
	Notices []string
}

// AllowUnsupportedEnv is the environment form of --allow-unsupported.
const AllowUnsupportedEnv = "GOHA_ALLOW_UNSUPPORTED"

// HostInterfaces lists the interfaces of the current network namespace:
// the interfaces a configuration's instances may name.
func HostInterfaces() []string {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(ifs))
	for _, i := range ifs {
		out = append(out, i.Name)
	}
	return out
}
