package daemon_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/lab"
)

// trackFileConf is one instance tracking a file with weight 10; VRID,
// VIP and file differ per daemon.
const trackFileConf = `global_defs {
   router_id TF
}

vrrp_track_file tf {
    file "FILE"
}

vrrp_instance tf_inst {
    state BACKUP
    interface ens160
    virtual_router_id VRID
    priority 100
    advert_int 1
    track_file {
        tf weight 10
    }
    virtual_ipaddress {
        VIP/24
    }
}
`

var (
	stateLine = regexp.MustCompile(`\(tf_inst\) (Entering \w+ STATE.*)$`)
	prioLine  = regexp.MustCompile(`\(tf_inst\) (Changing effective priority from \d+ to \d+)$`)
)

func matching(re *regexp.Regexp, log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// isSubsequence says whether every line of sub appears in all, in order.
func isSubsequence(sub, all []string) bool {
	for _, l := range all {
		if len(sub) > 0 && sub[0] == l {
			sub = sub[1:]
		}
	}
	return len(sub) == 0
}

// TestTrackFileLikeKeepalived runs gokeepalived and the real keepalived
// 2.2.7 side by side, each alone on its VRID, each tracking its own file,
// and changes both files the same way: a write (3 × 10), a file renamed
// over it (-30 × 10: FAULT), its deletion (0: out of FAULT, MASTER again)
// and a new write (2 × 10). Both daemons must go through the same states
// in the same order, and gokeepalived must log every priority change
// keepalived logs. (gokeepalived also logs the priority it counts while in
// FAULT, which keepalived leaves unlogged: a difference of the tracker
// arithmetic, not of the watching.)
func TestTrackFileLikeKeepalived(t *testing.T) {
	if _, err := exec.LookPath("keepalived"); err != nil {
		testenv.Missing(t, "keepalived not installed")
	}
	bin := buildGokeepalived(t)
	l := lab.NewForTest(t, "katf")
	dir := t.TempDir()
	hGo, err := l.AddHost("go", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	hKa, err := l.AddHost("ka", "192.168.110.22/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	time.Sleep(500 * time.Millisecond)
	mk := func(name string, h *lab.Host, real bool, vrid, vip string) (*peer, string) {
		sub := filepath.Join(dir, name)
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(sub, "track")
		if err := os.WriteFile(file, []byte("0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		conf := strings.NewReplacer("FILE", file, "VRID", vrid, "VIP", vip).Replace(trackFileConf)
		p := filepath.Join(dir, name+".conf")
		if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		return &peer{t: t, name: name, real: real, h: h, bin: bin, conf: p, dir: dir}, file
	}
	goP, goFile := mk("go", hGo, false, "71", "192.168.110.171")
	kaP, kaFile := mk("ka", hKa, true, "72", "192.168.110.172")
	goP.start()
	kaP.start()
	// until waits (bounded) for both daemons to have logged the states,
	// and keepalived's first priority changes to be among gokeepalived's.
	until := func(what string, states, prios int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			kaPrios := matching(prioLine, kaP.log())
			if len(matching(stateLine, goP.log())) >= states && len(matching(stateLine, kaP.log())) >= states &&
				len(kaPrios) >= prios && isSubsequence(kaPrios[:prios], matching(prioLine, goP.log())) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("%s: not seen\n--- gokeepalived:\n%s\n--- keepalived:\n%s", what, goP.log(), kaP.log())
	}
	both := func(change func(file string) error) {
		t.Helper()
		for _, f := range []string{goFile, kaFile} {
			if err := change(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	write := func(s string) func(string) error {
		return func(f string) error { return os.WriteFile(f, []byte(s), 0o644) }
	}
	until("start: BACKUP (init), MASTER", 2, 0)
	both(write("3\n"))
	until("written 3", 2, 1)
	both(func(f string) error {
		tmp := f + ".new"
		if err := os.WriteFile(tmp, []byte("-30\n"), 0o644); err != nil {
			return err
		}
		return os.Rename(tmp, f)
	})
	until("renamed over with -30: FAULT", 3, 1)
	both(os.Remove)
	until("deleted: BACKUP, MASTER", 5, 1)
	both(write("2\n"))
	until("written 2", 5, 2)

	goStates, kaStates := matching(stateLine, goP.log()), matching(stateLine, kaP.log())
	if !slices.Equal(goStates, kaStates) {
		t.Errorf("states: gokeepalived\n  %s\nkeepalived 2.2.7\n  %s", strings.Join(goStates, "\n  "), strings.Join(kaStates, "\n  "))
	}
	goPrios, kaPrios := matching(prioLine, goP.log()), matching(prioLine, kaP.log())
	if !isSubsequence(kaPrios, goPrios) {
		t.Errorf("priority changes: gokeepalived\n  %s\nkeepalived 2.2.7\n  %s", strings.Join(goPrios, "\n  "), strings.Join(kaPrios, "\n  "))
	}
	t.Logf("states of both daemons: %s; keepalived's priority changes: %s", strings.Join(kaStates, ", "), strings.Join(kaPrios, ", "))
}
