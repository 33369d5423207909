package haproxycmd

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// Go cannot fork, so -D / `daemon` re-executes the binary with the same
// arguments in a new session; the child tells the parent through a pipe
// (its fd 3) that it listens, and the parent exits 0 then, or with the
// child's status when startup failed.
const daemonEnv = "GOHAPROXY_DAEMON_CHILD"

// daemonChild is read once at start; the child then unsets the variable,
// which HAProxy's forked child has no counterpart of (`show env`, env()).
var daemonChild = os.Getenv(daemonEnv) == "1"

func isDaemonChild() bool { return daemonChild }

func daemonize(stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "[ALERT]    (%d) : [haproxy.main()] Cannot fork.\n", os.Getpid())
		return 1
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(stderr, "[ALERT]    (%d) : [haproxy.main()] Cannot fork.\n", os.Getpid())
		return 1
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = append(os.Environ(), daemonEnv+"=1", parseEnvVar())
	cmd.Stderr = stderr // startup alerts still reach the terminal
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "[ALERT]    (%d) : [haproxy.main()] Cannot fork.\n", os.Getpid())
		return 1
	}
	w.Close()
	buf := make([]byte, 2)
	n, _ := io.ReadFull(r, buf)
	r.Close()
	if n == 2 && string(buf) == "ok" {
		cmd.Process.Release()
		return 0
	}
	if err := cmd.Wait(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() > 0 {
			return ee.ExitCode()
		}
	}
	return 1
}

// runDaemonChild runs the worker and, once it is ready, releases the parent
// and detaches from the terminal (stdin, stdout and stderr on /dev/null, as
// HAProxy closes them).
func runDaemonChild(fl *Options, o workerOptions) int {
	os.Unsetenv(daemonEnv)
	ready := os.NewFile(3, "ready")
	// Opened now: after chroot there may be no /dev/null.
	null, nerr := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	o.Ready = func(err error) {
		if ready == nil {
			return
		}
		if err == nil {
			ready.Write([]byte("ok"))
			if nerr == nil {
				for fd := 0; fd <= 2; fd++ {
					unix.Dup3(int(null.Fd()), fd, 0)
				}
			}
		}
		ready.Close()
		ready = nil
		if nerr == nil {
			null.Close()
		}
	}
	// Through runProcess like a foreground start: with master-worker the
	// master goes to the background and reports ready once its first
	// worker listens; otherwise -sf/-st/-x handovers work as with HAProxy's
	// classic `-D -p PIDFILE -sf $(cat PIDFILE)` reload.
	res, code, ok := loadAsParent(o, true) // run_env.go
	if !ok {
		o.Ready(fmt.Errorf("configuration failed"))
		return code
	}
	o.Loaded = res
	return runProcess(fl, res, o)
}
