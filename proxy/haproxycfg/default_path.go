package haproxycfg

import "github.com/goha-lb/goha/parser/haproxy"

// defaultPath refuses a `default-path` that moves where relative paths
// are resolved (parser/haproxy global_default_path.go): HAProxy opens the
// files it reads while parsing from that directory, goha from the working
// directory (some at run time). One that leaves them at the working
// directory (current; config or parent, origin naming it) changes
// nothing and runs.
func (b *builder) defaultPath(dp haproxy.DefaultPath) {
	if dp.Moves {
		b.unsupported(dp.Pos, "default-path "+dp.Mode+" (relative paths from "+dp.Dir+", goha resolves them from the working directory)")
	}
}
