package haproxy

import (
	"os"
	"path/filepath"
	"strings"
)

// DefaultPath is the global `default-path`: where HAProxy resolves the
// relative paths it opens while parsing each configuration file (a
// temporary chdir per file; configuration.txt 3.1). Moves is set when
// that directory is not the working directory for some file parsed under
// the policy: goha resolves relative paths from the working directory,
// so only a default-path that changes nothing runs (haproxycfg refuses
// the others).
type DefaultPath struct {
	Mode  string // current, config, parent, origin ("": none)
	Dir   string // the directory of the last file that moved, or origin's
	Pos   Pos
	Moves bool
}

const defaultPathModes = "supported modes include 'current', 'config', 'parent', and 'origin'."

// globalDefaultPath parses `default-path current|config|parent|origin
// <dir>` with HAProxy 2.6.12's alerts (measured with -c); words after
// the mode and directory are ignored.
func (s *state) globalDefaultPath(g *Global, l *kwLine) {
	mode := l.arg(1)
	switch mode {
	case "current", "config", "parent":
	case "origin":
		dir := l.arg(2)
		if dir == "" {
			s.alert(l.p, "'default-path origin' expects a directory as an argument.")
			return
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			cwd, _ := os.Getwd()
			why := "Not a directory"
			if err != nil {
				why = errnoText(err)
			}
			s.alert(l.p, "couldn't set 'default-path' to origin '%s': Impossible to get back to directory '%s': %s.", dir, cwd, why)
			return
		}
	case "":
		s.alert(l.p, "missing default-path mode '' for 'default-path', "+defaultPathModes)
		return
	default:
		s.alert(l.p, "unsupported default-path mode '%s' for 'default-path', "+defaultPathModes, mode)
		return
	}
	g.DefaultPath = DefaultPath{Mode: mode, Pos: l.p}
	if mode == "origin" {
		g.DefaultPath.Dir = l.arg(2)
	}
	s.defaultPathFile(g, l.p.File)
}

// defaultPathFile notes where the policy in force resolves the relative
// paths of the configuration file file (called at the directive and at
// the start of each later file).
func (s *state) defaultPathFile(g *Global, file string) {
	dp := &g.DefaultPath
	var dir string
	switch dp.Mode {
	case "config", "parent":
		dir = "."
		if i := strings.LastIndexByte(file, '/'); i >= 0 {
			dir = file[:i+1]
		}
		if dp.Mode == "parent" {
			dir = filepath.Join(dir, "..")
		}
	case "origin":
		dir = dp.Dir
	default:
		return
	}
	s.lookups.base = ""
	if !sameDir(dir, ".") {
		dp.Moves, dp.Dir = true, dir
		s.lookups.base = dir // the -c file checks look there, as HAProxy's chdir
	}
}

// sameDir reports whether a and b name the same directory.
func sameDir(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}
