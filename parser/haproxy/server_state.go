package haproxy

// Server states across reloads: the global `server-state-base` and
// `server-state-file`, and the backends' `load-server-state-from-file` and
// `server-state-file-name`. The file itself is read at startup by the
// runtime (proxy/serverstate parses it, internal/haproxycmd applies it).

// ServerStateMode is the argument of `load-server-state-from-file`.
type ServerStateMode string

const (
	// ServerStateNone (also the default, no line): nothing is loaded.
	ServerStateNone ServerStateMode = ""
	// ServerStateGlobal reads the global server-state-file.
	ServerStateGlobal ServerStateMode = "global"
	// ServerStateLocal reads the backend's own file (FileName, or the
	// backend's name), under server-state-base.
	ServerStateLocal ServerStateMode = "local"
)

// ServerStateSource is where a backend takes its servers' states from.
// Both fields are inherited from the defaults section.
type ServerStateSource struct {
	Mode ServerStateMode
	// FileName is `server-state-file-name <file>`; "" with `use-backend-name`,
	// without argument or without the line: the backend's name.
	FileName string
}

// globalServerState is `server-state-base` / `server-state-file`: the first
// line wins, a later one is alerted without failing (HAProxy 2.6).
func (s *state) globalServerState(g *Global, l *kwLine) {
	v := &g.ServerStateBase
	if l.kw == "server-state-file" {
		v = &g.ServerStateFile
	}
	if *v != "" {
		s.d.Alertf(l.p.File, l.p.Line, "'%s' already specified. Continuing.", l.kw)
		return
	}
	if l.arg(1) == "" {
		what := "a directory path"
		if l.kw == "server-state-file" {
			what = "a file path"
		}
		s.alert(l.p, "'%s' expects one argument: %s.", l.kw, what)
		return
	}
	*v = l.arg(1)
}

// parseLoadServerState is `load-server-state-from-file` and
// `server-state-file-name`, with HAProxy 2.6's messages.
func (s *state) parseLoadServerState(px *Proxy, l *kwLine) bool {
	if l.kw == "server-state-file-name" {
		if len(l.w) > 2 {
			s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
			return false
		}
		px.ServerState.FileName = l.arg(1)
		if px.ServerState.FileName == "use-backend-name" {
			px.ServerState.FileName = ""
		}
		return false
	}
	switch l.arg(1) {
	case "global":
		px.ServerState.Mode = ServerStateGlobal
	case "local":
		px.ServerState.Mode = ServerStateLocal
	case "none":
		px.ServerState.Mode = ServerStateNone
	default:
		s.alert(l.p, "'%s' expects 'global', 'local' or 'none'. Got '%s'", l.kw, l.arg(1))
	}
	return false
}
