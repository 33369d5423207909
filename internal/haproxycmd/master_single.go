package haproxycmd

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/goha-lb/goha/proxy/listen"
)

// getsocksTimeout bounds the `-x` transfer from the old process.
const getsocksTimeout = 5 * time.Second

// runSingle runs the worker in this process with HAProxy's old-style
// handover: `-x <socket>` first fetches the old process's listening
// sockets from its `stats socket ... expose-fd listeners` (the same sockets,
// so no connection waiting in their queues is lost); sockets it binds
// itself get SO_REUSEPORT, so binding succeeds while the old process still
// listens. Once this process listens, the processes named by -sf are told
// to finish their work and exit (SIGUSR1), those named by -st to stop now
// (SIGTERM).
func runSingle(fl *Options, o workerOptions) int {
	if fl.SocketFrom == "" && (len(fl.SoftStop) > 0 || len(fl.HardStop) > 0) && o.Loaded != nil && o.Loaded.Config.Global.NoReusePort {
		// HAProxy pauses the old process's listeners (SIGTTOU) until the
		// new one binds, resuming them (SIGTTIN) if it cannot; goha has no
		// such pause: refused, and the old process keeps serving
		fmt.Fprintf(o.Stderr, "[ALERT]    (%d) : goha: global noreuseport with -sf/-st needs -x <stats socket> or master-worker mode (-W) to take the old process's listeners; exiting, the old process is left running.\n", os.Getpid())
		return 1
	}
	r := &listen.Resolver{}
	defer r.Close()
	if fl.SocketFrom != "" {
		set, err := listen.FetchGetSocks(fl.SocketFrom, getsocksTimeout)
		if err != nil {
			fmt.Fprintf(o.Stderr, "[WARNING]  (%d) : Failed to get the sockets from the old process!\n", os.Getpid())
		} else {
			r.Inherited = set
		}
	}
	exposeListeners = r.Used
	prev := o.Ready
	o.Ready = func(err error) {
		if err == nil {
			if r.Inherited != nil {
				r.Inherited.Close() // sockets the new configuration dropped
			}
			signalPIDs(fl.SoftStop, syscall.SIGUSR1)
			signalPIDs(fl.HardStop, syscall.SIGTERM)
		}
		if prev != nil {
			prev(err)
		}
	}
	o.OldProcess = len(fl.SoftStop) > 0 || len(fl.HardStop) > 0
	o.OnSoftStop = r.Close // run.go: refuse new connections once soft-stopping
	return runWorker(o, r.Listen)
}

// exposeListeners returns the listening sockets of this process for a
// `stats socket ... expose-fd listeners` asked "_getsocks" (see
// serveGetSocks); nil until the worker's listeners are resolved.
var exposeListeners func() *listen.Set

// serveGetSocks answers listen.GetSocksCommand on a stats socket that has
// `expose-fd listeners`: the runtime API calls it instead of its own
// dispatcher for that command.
func serveGetSocks(c *net.UnixConn) error {
	if exposeListeners == nil {
		return fmt.Errorf("no listeners to expose")
	}
	set := exposeListeners()
	defer set.Close()
	return listen.ServeGetSocks(c, set)
}

func signalPIDs(pids []string, sig syscall.Signal) {
	for _, p := range pids {
		if n, err := strconv.Atoi(p); err == nil && n > 0 {
			syscall.Kill(n, sig)
		}
	}
}
