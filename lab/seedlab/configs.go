package seedlab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goha-lb/goha/lab"
)

// Files are the seed's configs, read verbatim from testdata/seed.
type Files struct {
	Haproxy       []byte // haproxy.cfg (both load balancers)
	KeepalivedLB1 []byte // keepalived-lb1.conf
	KeepalivedLB2 []byte // keepalived-lb2.conf
	NginxServers  []byte // nginx-servers.conf (backend)
}

// LoadFiles reads the seed configs from dir (testdata/seed).
func LoadFiles(dir string) (Files, error) {
	var f Files
	for _, x := range []struct {
		name string
		dst  *[]byte
	}{
		{"haproxy.cfg", &f.Haproxy},
		{"keepalived-lb1.conf", &f.KeepalivedLB1},
		{"keepalived-lb2.conf", &f.KeepalivedLB2},
		{"nginx-servers.conf", &f.NginxServers},
	} {
		b, err := os.ReadFile(filepath.Join(dir, x.name))
		if err != nil {
			return Files{}, fmt.Errorf("seedlab: seed config: %w", err)
		}
		*x.dst = b
	}
	return f, nil
}

// The variants below only add lines to a seed config; every seed line is
// kept as it is, so a diff against the seed shows exactly what changed.

// WithAccept makes the VIPs reachable on the master in spite of
// vrrp_strict: it adds `version 3` and `accept` to every vrrp_instance
// (after its advert_int line). VRRPv2 (RFC 3768) has no Accept_Mode, so
// keepalived resets `accept` under strict mode unless the instance speaks
// VRRPv3 (RFC 5798), where accept mode is the standard's own switch. With
// it keepalived installs no nftables drop rules for the VIPs.
func WithAccept(conf []byte) []byte {
	return lab.InsertAfter(conf, "advert_int", "version 3", "accept")
}

// TrackScriptPath is where WithTrackHaproxy's check script lives.
const TrackScriptPath = "/etc/keepalived/chk_haproxy.sh"

// TrackScript is the vrrp_script check: does the local proxy accept a TCP
// connection on port 80? (A pidfile check would be fooled by a zombie.)
const TrackScript = "#!/bin/bash\n# Exit 0 while the local proxy accepts connections on port 80.\nexec 3<>/dev/tcp/127.0.0.1/80\n"

// WithTrackHaproxy adds a vrrp_script watching the local proxy and tracks
// it in every instance, so a dead proxy moves the VIP (the script's
// default weight 0 puts the instance in FAULT while it fails).
func WithTrackHaproxy(conf []byte) []byte {
	script := "vrrp_script chk_haproxy {\n    script \"" + TrackScriptPath + "\"\n    interval 1\n    timeout 1\n    fall 1\n    rise 1\n}\n\n"
	s := string(lab.InsertAfter(conf, "advert_int", "track_script {", "    chk_haproxy", "}"))
	i := strings.Index(s, "vrrp_instance ")
	if i < 0 {
		return []byte(s)
	}
	return []byte(s[:i] + script + s[i:])
}

// Second instance of the active-active extension.
const (
	VIP2         = "192.168.110.200"
	secondVRID   = 52
	secondName   = "lb_ha2"
	secondPrioHi = 100
	secondPrioLo = 90
)

// ActiveActive appends the extension's second instance to a load
// balancer's seed config: VIP 192.168.110.200, VRID 52, MASTER (priority
// 100) on lb2 and BACKUP (90) on lb1, so each balancer carries one VIP.
func ActiveActive(conf []byte, master bool) []byte {
	state, prio := "BACKUP", secondPrioLo
	if master {
		state, prio = "MASTER", secondPrioHi
	}
	s := strings.TrimRight(string(conf), "\n") + "\n\n" + fmt.Sprintf(`vrrp_instance %s {
    state %s
    interface ens160
    virtual_router_id %d
    priority %d
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 2222
    }
    virtual_ipaddress {
        %s/24
    }
}
`, secondName, state, secondVRID, prio, VIP2)
	return []byte(s)
}

// nginxConf is the backend's nginx.conf: the Debian default reduced to
// what the seed's server blocks need, logging to stderr instead of
// /var/log, and including the seed's nginx-servers.conf unchanged.
const nginxConf = `user www-data;
worker_processes 1;
pid /run/nginx.pid;
error_log stderr;
events {
	worker_connections 256;
}
http {
	default_type text/html;
	access_log off;
	include /etc/nginx/conf.d/*.conf;
}
`
