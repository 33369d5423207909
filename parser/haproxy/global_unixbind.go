package haproxy

// UnixBind is the global `unix-bind`: the path prefix and the defaults
// of mode and owner for the UNIX sockets of frontend `bind` lines.
// Measured on HAProxy 2.6.12: `stats socket` and the master CLI (-S) do
// not take them. goha refuses UNIX sockets on bind lines, so nothing it
// serves reads these values.
type UnixBind struct {
	Prefix      string
	Mode        string // octal, as written
	UID, GID    string // as written
	User, Group string
}

// globalUnixBind reads `unix-bind [prefix <p>] [mode <m>] [uid <n>]
// [gid <n>] [user <name>] [group <name>]` with HAProxy 2.6's messages.
func (s *state) globalUnixBind(g *Global, l *kwLine) {
	ub := g.UnixBind
	for i := 1; i < len(l.w); i += 2 {
		kw, v := l.w[i], l.arg(i+1)
		switch kw {
		case "prefix":
			if ub.Prefix != "" {
				s.d.Alertf(l.p.File, l.p.Line, "unix-bind 'prefix' already specified. Continuing.")
				continue
			}
			if v == "" {
				s.alert(l.p, "unix_bind 'prefix' expects a path as an argument.")
				return
			}
			ub.Prefix = v
		case "mode":
			ub.Mode = v
		case "uid":
			ub.UID = v
		case "gid":
			ub.GID = v
		case "user", "group":
			if !s.lookups.user(v) && kw == "user" {
				s.alert(l.p, "'unix-bind' : '%s' unknown user.", v)
				return
			}
			if kw == "group" && !s.lookups.group(v) {
				s.alert(l.p, "'unix-bind' : '%s' unknown group.", v)
				return
			}
			if kw == "user" {
				ub.User = v
			} else {
				ub.Group = v
			}
		default:
			s.alert(l.p, "'unix-bind' only supports the 'prefix', 'mode', 'uid', 'gid', 'user' and 'group' options.")
			return
		}
	}
	g.UnixBind = ub
}
