package haproxycmd

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"github.com/goha-lb/goha/proxy/haproxycfg"
)

// dropPrivileges applies `chroot`, `group` and `user` in HAProxy's order,
// after every socket is open: names are looked up first (the chroot has no
// /etc/passwd), then chroot + chdir("/"), then the supplementary groups are
// cleared and gid, then uid, set. Go applies setuid/setgid to every thread.
func dropPrivileges(p haproxycfg.Process) error {
	uid, gid := -1, -1
	if p.User != "" {
		u, err := user.Lookup(p.User)
		if err != nil {
			return fmt.Errorf("[haproxy.main()] Cannot find user id for '%s'.", p.User)
		}
		uid, _ = strconv.Atoi(u.Uid)
	}
	if p.Group != "" {
		g, err := user.LookupGroup(p.Group)
		if err != nil {
			return fmt.Errorf("[haproxy.main()] Cannot find group id for '%s'.", p.Group)
		}
		gid, _ = strconv.Atoi(g.Gid)
	}
	if p.UID != nil { // global uid: no lookup
		uid = *p.UID
	}
	if p.GID != nil {
		gid = *p.GID
	}
	if p.Chroot != "" {
		if err := syscall.Chroot(p.Chroot); err != nil {
			return fmt.Errorf("[haproxy.main()] Cannot chroot(%s).", p.Chroot)
		}
		if err := os.Chdir("/"); err != nil {
			return fmt.Errorf("[haproxy.main()] Cannot chdir(/) after chroot(%s).", p.Chroot)
		}
	}
	if gid >= 0 && gid != os.Getgid() {
		if os.Getuid() == 0 {
			if err := syscall.Setgroups(nil); err != nil {
				return fmt.Errorf("[haproxy.main()] Failed to drop supplementary groups. Using 'gid'/'group' without 'uid'/'user' is generally useless.")
			}
		}
		if err := syscall.Setgid(gid); err != nil {
			return fmt.Errorf("[haproxy.main()] Cannot set gid %d.", gid)
		}
	}
	if uid >= 0 && uid != os.Getuid() {
		if err := syscall.Setuid(uid); err != nil {
			return fmt.Errorf("[haproxy.main()] Cannot set uid %d.", uid)
		}
	}
	return nil
}
