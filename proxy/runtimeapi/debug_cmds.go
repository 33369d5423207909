package runtimeapi

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/goha-lb/goha/proxy/tlsconf"
)

// `show threads`, `show fd`, `set profiling`, `show profiling` and
// `show ssl providers` in HAProxy 2.6's shape with goha's own figures.
// goha's work runs on goroutines over GOMAXPROCS OS threads: every
// thread is listed, the one answering is thread 1 and no task runs.

// ThreadSource is a Source that reports the figures of the thread
// answering the CLI: its OS thread id and the process CPU time.
type ThreadSource interface {
	ThreadFigures() (tid int, cpuNS int64)
}

// FD is one socket of the process as `show fd` lists it.
type FD struct {
	Num      int
	Inode    uint64
	Listener bool
	Family   string // ipv4, ipv6, unix
	Port     int    // a listener's local port (0 for unix)
	// Frontend is the proxy the socket belongs to ("GLOBAL" for a stats
	// socket); "" when unknown.
	Frontend string
	Back     bool // a connection to a server
}

// FDLister is a Source that lists its sockets.
type FDLister interface {
	FDs() []FD
}

func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"show", "threads"}, usage: "show threads", desc: "show some threads debugging information", run: cmdShowThreads},
		{words: []string{"show", "fd"}, usage: "show fd [num]", desc: "dump list of file descriptors in use or a specific one", level: LevelOperator, run: cmdShowFD},
		{words: []string{"set", "profiling"}, usage: "set profiling <what> {auto|on|off}", desc: "enable/disable resource profiling (tasks,memory)", level: LevelAdmin, run: cmdSetProfiling},
		{words: []string{"show", "profiling"}, usage: "show profiling [<what>|<#lines>|byaddr]*", desc: "show profiling state (all,status,tasks,memory)", level: LevelAdmin, run: cmdShowProfiling},
		{words: []string{"show", "ssl", "providers"}, usage: "show ssl providers", desc: "show loaded SSL providers", run: cmdShowSSLProviders},
		{words: []string{"set", "severity-output"}, usage: "set severity-output [none|number|string]", desc: "set presence of severity level in feedback information", run: cmdSetSeverityOutput},
	}, commands[len(commands)-3:]...)...)
	listed := commands[:len(commands)-3]
	sort.SliceStable(listed, func(i, j int) bool { return listed[i].usage < listed[j].usage })
}

func cmdShowThreads(s *Session, _ []string) string {
	n := max(s.src.Info().Nbthread, 1)
	tid, cpu := 0, int64(0)
	if ts, ok := s.src.(ThreadSource); ok {
		tid, cpu = ts.ThreadFigures()
	}
	return threadsDump(n, tid, cpu)
}

// threadsDump: thread 1 answers (the '*' line, active); the others are
// idle and harmless, as HAProxy shows threads waiting in the poller.
func threadsDump(n, tid int, cpuNS int64) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		star, act, harmless, id, ns := ' ', 0, 1, 0, int64(0)
		if i == 1 {
			star, act, harmless, id, ns = '*', 1, 0, tid, cpuNS
		}
		fmt.Fprintf(&b, "%c Thread %d : id=0x%x act=%d glob=0 wq=0 rq=0 tl=0 tlsz=0 rqsz=0\n", star, i, id, act)
		fmt.Fprintf(&b, "      1/%-4d stuck=0 prof=%d harmless=%d wantrdv=0\n", i, profilingFlag(), harmless)
		fmt.Fprintf(&b, "             cpu_ns: poll=%d now=%d diff=0\n", ns, ns)
		b.WriteString("             curr_task=0\n")
	}
	return b.String()
}

// cmdShowFD lists goha's sockets, or the one numbered (anything else
// after `show fd` lists nothing, as HAProxy).
func cmdShowFD(s *Session, args []string) string {
	fl, ok := s.src.(FDLister)
	if !ok {
		return ""
	}
	only := -1
	if a := arg(args, 2); a != "" {
		only = leadingInt(a)
		if only <= 0 {
			return ""
		}
	}
	fds := fl.FDs()
	sort.Slice(fds, func(i, j int) bool { return fds[i].Num < fds[j].Num })
	n := max(s.src.Info().Nbthread, 1)
	all := uint64(1)<<n - 1
	var b strings.Builder
	for _, f := range fds {
		if only >= 0 && f.Num != only {
			continue
		}
		fe := ""
		if f.Frontend != "" {
			fe = " fe=" + f.Frontend
			if f.Back {
				fe = " be=" + f.Frontend
			}
		}
		if f.Listener {
			fmt.Fprintf(&b, "%7d : st=0x000121(cl heopI W:sRa R:srA) ref=0 gid=1 tmask=0x%x umask=0x0 prmsk=0x%x pwmsk=0x0 owner=0x%x iocb=0x0(sock_accept_iocb) l.st=RDY%s fam=%s",
				f.Num, all, all, f.Inode, fe, f.Family)
			if f.Family != "unix" {
				fmt.Fprintf(&b, " lport=%d", f.Port)
			}
			b.WriteByte('\n')
			continue
		}
		back := 0
		if f.Back {
			back = 1
		}
		fmt.Fprintf(&b, "%7d : st=0x000121(cl heopI W:sRa R:srA) ref=0 gid=1 tmask=0x1 umask=0x0 prmsk=0x1 pwmsk=0x0 owner=0x%x iocb=0x0(sock_conn_iocb) back=%d cflg=0x00000300 cerr=0 fam=%s%s mux=PASS ctx=0x0 xprt=RAW\n",
			f.Num, f.Inode, back, f.Family, fe)
	}
	return b.String()
}

// leadingInt reads the digits a word starts with, as atoi does ("12x"
// is 12); -1 when it starts with none.
func leadingInt(a string) int {
	i := 0
	for i < len(a) && a[i] >= '0' && a[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(a[:i])
	if err != nil {
		return -1
	}
	return n
}

// profiling is the process-wide `set profiling tasks` state. goha never
// switches it on by itself, so "auto" reads auto-off.
var profiling = struct {
	sync.Mutex
	tasks string
}{tasks: "auto-off"}

func profilingFlag() int {
	profiling.Lock()
	defer profiling.Unlock()
	if profiling.tasks == "on" {
		return 1
	}
	return 0
}

func cmdSetProfiling(s *Session, args []string) string {
	switch arg(args, 2) {
	case "memory":
		return "Memory profiling not compiled in.\n"
	case "tasks":
	default:
		return "Expects either 'tasks' or 'memory'.\n"
	}
	v := arg(args, 3)
	switch v {
	case "on", "off":
	case "auto":
		v = "auto-off"
	default:
		return "Expects 'on', 'auto', or 'off'.\n"
	}
	profiling.Lock()
	profiling.tasks = v
	profiling.Unlock()
	return ""
}

// cmdShowProfiling prints the state and the (empty: goha runs no
// tasks) per-function task table; the last section word wins.
func cmdShowProfiling(s *Session, args []string) string {
	status, tasks := true, true
	for _, a := range args[2:] {
		switch {
		case a == "all":
			status, tasks = true, true
		case a == "status":
			status, tasks = true, false
		case a == "tasks":
			status, tasks = false, true
		case a == "memory":
			status, tasks = false, false
		case a == "byaddr" || a[0] >= '0' && a[0] <= '9': // a line count: goha's table has no lines
		default:
			return "Expects either 'all', 'status', 'tasks', 'memory', 'byaddr' or a max number of output lines.\n"
		}
	}
	var b strings.Builder
	if status {
		profiling.Lock()
		t := profiling.tasks
		profiling.Unlock()
		fmt.Fprintf(&b, "Per-task CPU profiling              : %-14s# set profiling tasks {on|auto|off}\n", t)
		fmt.Fprintf(&b, "Memory usage profiling              : %-14s# set profiling memory {on|off}\n", "off")
	}
	if tasks {
		b.WriteString("Tasks activity:\n  function                      calls   cpu_tot   cpu_avg   lat_tot   lat_avg\n")
	}
	return b.String()
}

// cmdShowSSLProviders: goha's TLS is Go's crypto library, with OpenSSL's
// libcrypto for RSA signatures when it loads (tlsconf.Providers).
func cmdShowSSLProviders(s *Session, _ []string) string {
	var b strings.Builder
	b.WriteString("Loaded providers : \n")
	for _, p := range tlsconf.Providers() {
		b.WriteString("\t- " + p + "\n")
	}
	return b.String()
}
