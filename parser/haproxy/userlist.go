package haproxy

import "fmt"

// Userlist is a typed `userlist` section: its users, each with the groups
// it belongs to, the way HAProxy 2.6 resolves them once the configuration
// is read (userlist_postinit): a user is in a group its `groups` option
// names and in every group whose `users` option names it.
type Userlist struct {
	Name  string
	Pos   Pos
	Users []User
	// Groups are the group names, in declaration order.
	Groups []string
}

// User is one `user <name> [password <hash> | insecure-password <pw>]
// [groups <g>,...]` line. A duplicated user name is ignored (HAProxy warns),
// so names are unique.
type User struct {
	Pos      Pos
	Name     string
	Password string // as written: a crypt(3) hash, or clear text when Insecure
	Insecure bool
	// NoPassword: the line gives neither option (HAProxy keeps a user
	// without a password; goha refuses it, see proxy/haproxycfg).
	NoPassword bool
	Groups     []string // resolved membership, in the userlist's group order
}

// userlistStatement checks one user or group line as HAProxy 2.6's
// cfg_parse_users does (the options each takes, duplicates); true when the
// line is to be ignored.
func (s *state) userlistStatement(sec *Section, p Pos, w []string) bool {
	if len(w) < 2 || w[1] == "" {
		return false // sectionStatement reported it
	}
	for _, st := range sec.Statements {
		if st.Args[0] == w[0] && len(st.Args) > 1 && st.Args[1] == w[1] {
			s.d.Raw(Warning, p.File, p.Line, fmt.Sprintf("config : parsing [%s:%d]: ignoring duplicated %s '%s' in userlist '%s'.",
				p.File, p.Line, w[0], w[1], sec.Name))
			return true
		}
	}
	for i := 2; i < len(w); i += 2 {
		switch {
		case w[0] == "user" && (w[i] == "password" || w[i] == "insecure-password" || w[i] == "groups"):
		case w[0] == "group" && w[i] == "users":
		case w[0] == "user":
			s.alertRaw(p.File, p.Line, "'user' only supports 'password', 'insecure-password' and 'groups' options.")
			s.fileFatal = true
			return true
		default:
			s.alertRaw(p.File, p.Line, "'group' only supports 'users' option.")
			s.fileFatal = true
			return true
		}
	}
	return false
}

// typeUserlists builds Config.Userlists from the userlist sections (a
// duplicated userlist name is ignored with HAProxy's warning) and checks
// the references between users and groups; true when one is unknown
// (HAProxy's fatal alert).
func (s *state) typeUserlists() bool {
	seen := map[string]bool{}
	for _, sec := range s.cfg.Others {
		if sec.Kind != "userlist" {
			continue
		}
		if seen[sec.Name] {
			s.d.Raw(Warning, sec.Pos.File, sec.Pos.Line, fmt.Sprintf("config : parsing [%s:%d]: ignoring duplicated userlist '%s'.",
				sec.Pos.File, sec.Pos.Line, sec.Name))
			continue
		}
		seen[sec.Name] = true
		ul, bad := buildUserlist(sec)
		if bad != "" {
			s.d.Raw(Alert, "", 0, "config : "+bad)
			return true
		}
		s.cfg.Userlists = append(s.cfg.Userlists, ul)
	}
	return s.userlistRefs()
}

// buildUserlist types one section; bad is HAProxy's alert for a user
// naming an unknown group.
func buildUserlist(sec *Section) (ul Userlist, bad string) {
	ul = Userlist{Name: sec.Name, Pos: sec.Pos}
	members := map[string]map[string]bool{} // group -> users its line names
	for _, st := range sec.Statements {
		if st.Args[0] == "group" && len(st.Args) > 1 {
			ul.Groups = append(ul.Groups, st.Args[1])
			m := map[string]bool{}
			for i := 2; i+1 < len(st.Args); i += 2 {
				for _, u := range splitComma(st.Args[i+1]) {
					m[u] = true
				}
			}
			members[st.Args[1]] = m
		}
	}
	for _, st := range sec.Statements {
		if st.Args[0] != "user" || len(st.Args) < 2 {
			continue
		}
		u := User{Pos: st.Pos, Name: st.Args[1], NoPassword: true}
		own := map[string]bool{}
		for i := 2; i < len(st.Args); i += 2 {
			v := ""
			if i+1 < len(st.Args) {
				v = st.Args[i+1]
			}
			switch st.Args[i] {
			case "password", "insecure-password":
				u.Password, u.Insecure, u.NoPassword = v, st.Args[i] == "insecure-password", false
			case "groups":
				for _, g := range splitComma(v) {
					if members[g] == nil {
						return ul, fmt.Sprintf("userlist '%s': no such group '%s' specified in user '%s'", sec.Name, g, u.Name)
					}
					own[g] = true
				}
			}
		}
		for _, g := range ul.Groups {
			if own[g] || members[g][u.Name] {
				u.Groups = append(u.Groups, g)
			}
		}
		ul.Users = append(ul.Users, u)
	}
	return ul, ""
}

// UserlistNamed is the userlist called name, or nil.
func (c *Config) UserlistNamed(name string) *Userlist {
	for i := range c.Userlists {
		if c.Userlists[i].Name == name {
			return &c.Userlists[i]
		}
	}
	return nil
}

// InGroup says whether the user belongs to group g.
func (u *User) InGroup(g string) bool {
	for _, x := range u.Groups {
		if x == g {
			return true
		}
	}
	return false
}
