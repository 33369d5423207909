package listen

import (
	"strconv"
	"strings"
)

// SystemdFirstFD is where socket activation's descriptors start.
const SystemdFirstFD = 3

// Activation is what systemd's socket activation passed to this process.
type Activation struct {
	FDs   []int    // 3, 4, ...
	Names []string // from LISTEN_FDNAMES, parallel to FDs ("" when absent)
}

// SystemdActivation reads LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES as
// sd_listen_fds(3) does: they count only when LISTEN_PID is pid (a child
// must not take its parent's sockets for its own).
func SystemdActivation(getenv func(string) string, pid int) (Activation, bool) {
	var a Activation
	if p, err := strconv.Atoi(getenv("LISTEN_PID")); err != nil || p != pid {
		return a, false
	}
	n, err := strconv.Atoi(getenv("LISTEN_FDS"))
	if err != nil || n <= 0 || n > 1<<16 {
		return a, false
	}
	var names []string
	if v := getenv("LISTEN_FDNAMES"); v != "" {
		names = strings.Split(v, ":")
	}
	for i := 0; i < n; i++ {
		a.FDs = append(a.FDs, SystemdFirstFD+i)
		name := ""
		if i < len(names) {
			name = names[i]
		}
		a.Names = append(a.Names, name)
	}
	return a, true
}

// Env returns the variables that let a configuration name activated
// sockets: LISTEN_FD_<NAME>=<fd> for every named one (NAME upper-cased,
// other characters than letters and digits turned into '_'), so that
// `bind "fd@${LISTEN_FD_HTTP}"` reads fd@3. The first name wins when two
// sanitise alike.
func (a Activation) Env() []string {
	seen := map[string]bool{}
	var out []string
	for i, n := range a.Names {
		if n == "" {
			continue
		}
		k := "LISTEN_FD_" + envName(n)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k+"="+strconv.Itoa(a.FDs[i]))
	}
	return out
}

func envName(s string) string {
	b := []byte(strings.ToUpper(s))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}
