package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// Proc is a process started inside a host. Its stdout and stderr go to
// files in the lab directory.
type Proc struct {
	Host       *Host
	Argv       []string
	StdoutPath string
	StderrPath string

	cmdPid int
	proc   *os.Process
	done   chan struct{}
	state  *os.ProcessState
	err    error
}

// Start starts argv inside the host through `ip netns exec` (which execs
// argv in place, so Pid is argv's own PID) with the host's /etc overlay.
// The lab kills it on Close if it is still running.
func (h *Host) Start(argv ...string) (*Proc, error) {
	if len(argv) == 0 {
		return nil, errors.New("lab: Start needs a command")
	}
	l := h.lab
	l.mu.Lock()
	seq := len(l.procs)
	l.mu.Unlock()
	base := fmt.Sprintf("%s-%d-%s", h.Name, seq, sanitize(argv[0]))
	stdout, err := os.Create(l.logPath(base + ".out"))
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	defer stdout.Close()
	stderr, err := os.Create(l.logPath(base + ".err"))
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	defer stderr.Close()
	cmd := h.Command(context.Background(), argv...) // lifetime is managed by Proc (Close), not a context
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// Own process group, so a terminal's Ctrl-C reaches us, not it, and
	// Close decides how it ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("lab: %s: start %s: %w", h.Name, strings.Join(argv, " "), err)
	}
	p := &Proc{Host: h, Argv: argv, StdoutPath: stdout.Name(), StderrPath: stderr.Name(),
		cmdPid: cmd.Process.Pid, proc: cmd.Process, done: make(chan struct{})}
	go func() {
		p.state, p.err = cmd.Process.Wait()
		close(p.done)
	}()
	if err := l.track(p); err != nil {
		p.Kill()
		p.Wait()
		return nil, err
	}
	return p, nil
}

// Pid is the process id (the same as argv's, since ip netns exec execs).
func (p *Proc) Pid() int { return p.cmdPid }

// Signal sends sig to the process.
func (p *Proc) Signal(sig os.Signal) error {
	select {
	case <-p.done:
		return os.ErrProcessDone
	default:
	}
	return p.proc.Signal(sig)
}

// Kill sends SIGKILL to the process (by PID). It is a no-op once it exited.
func (p *Proc) Kill() error {
	err := p.Signal(syscall.SIGKILL)
	if errors.Is(err, os.ErrProcessDone) {
		return nil
	}
	return err
}

// Wait waits for the process to exit and returns its state.
func (p *Proc) Wait() (*os.ProcessState, error) {
	<-p.done
	return p.state, p.err
}

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Stdout returns what the process wrote to stdout so far.
func (p *Proc) Stdout() string { b, _ := os.ReadFile(p.StdoutPath); return string(b) }

// Stderr returns what the process wrote to stderr so far.
func (p *Proc) Stderr() string { b, _ := os.ReadFile(p.StderrPath); return string(b) }

func sanitize(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}
