package haproxycfg

import (
	"context"
	"os/exec"
	"strings"
	"time"
)

// sClientOut runs openssl s_client -connect addr with args, stdin as its
// input, and gives what it printed (stdout and stderr) and how it ended;
// one still running after 10 s is killed (what it printed until then is
// kept).
func sClientOut(addr, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "openssl", append([]string{"s_client", "-connect", addr}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// sClientSession makes one handshake with openssl s_client at version
// (a request keeps the connection until the answer: TLS 1.3 tickets come
// after the handshake): "Reused", "New" or "failed".
func sClientSession(addr, version string, args ...string) string {
	out, _ := sClientOut(addr, "GET / HTTP/1.0\r\n\r\n", append([]string{"-servername", "a.example.test", version, "-ign_eof"}, args...)...)
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "Reused,") {
			return "Reused"
		}
		if strings.HasPrefix(l, "New,") {
			return "New"
		}
	}
	return "failed"
}

// tlsTCPConfig is a tcp frontend f with binds (whole lines) sending to
// a backend b whose server nothing listens on: the TLS handshake tests'
// configuration, global (whole lines, or "") first.
func tlsTCPConfig(global, binds string) string {
	return global + "defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 2s\n    timeout server 2s\nfrontend f\n" +
		binds + "    default_backend b\nbackend b\n    server s 127.0.0.1:9\n"
}
