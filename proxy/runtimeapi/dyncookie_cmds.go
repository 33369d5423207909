package runtimeapi

import (
	"errors"
	"sort"
)

// DynamicCookieController is a Source whose backends' dynamic cookies
// change at run time. ErrNoBackend: no backend of that name.
type DynamicCookieController interface {
	SetDynamicCookieKey(backend, key string) error
	SetDynamicCookies(backend string, on bool) error
}

// ErrNoBackend is a DynamicCookieController's answer for an unknown name.
var ErrNoBackend = errors.New("no such backend")

func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"disable", "dynamic-cookie", "backend"}, usage: "disable dynamic-cookie backend <bk>", desc: "disable dynamic cookies on a specific backend", level: LevelAdmin, run: cmdDynamicCookie(false)},
		{words: []string{"enable", "dynamic-cookie", "backend"}, usage: "enable dynamic-cookie backend <bk>", desc: "enable dynamic cookies on a specific backend", level: LevelAdmin, run: cmdDynamicCookie(true)},
		{words: []string{"set", "dynamic-cookie-key", "backend"}, usage: "set dynamic-cookie-key backend <bk> <k>", desc: "change a backend secret key for dynamic cookies", level: LevelAdmin, run: cmdSetDynamicCookieKey},
	}, commands[len(commands)-3:]...)...)
	listed := commands[:len(commands)-3]
	sort.SliceStable(listed, func(i, j int) bool { return listed[i].usage < listed[j].usage })
}

func cmdDynamicCookie(on bool) func(*Session, []string) string {
	return func(s *Session, args []string) string {
		name := arg(args, 3)
		if name == "" {
			return "A backend name is expected.\n"
		}
		dc, ok := s.src.(DynamicCookieController)
		if !ok {
			return errNotSupported
		}
		if err := dc.SetDynamicCookies(name, on); err != nil {
			return "No such backend.\n"
		}
		return ""
	}
}

func cmdSetDynamicCookieKey(s *Session, args []string) string {
	name := arg(args, 3)
	if name == "" {
		return "A backend name is expected.\n"
	}
	key := arg(args, 4)
	if key == "" {
		return "String value expected.\n"
	}
	dc, ok := s.src.(DynamicCookieController)
	if !ok {
		return errNotSupported
	}
	if err := dc.SetDynamicCookieKey(name, key); err != nil {
		return "No such backend.\n"
	}
	return ""
}
