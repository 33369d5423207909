package haproxy

import (
	"fmt"
	"strconv"
	"strings"
)

// serverWithArg are the server options that take a value.
var serverWithArg = map[string]bool{"addr": true, "agent-send": true, "agent-inter": true, "agent-addr": true,
	"agent-port": true, "alpn": true, "ca-file": true, "check-alpn": true, "check-proto": true, "check-sni": true,
	"ciphers": true, "ciphersuites": true, "cookie": true, "crl-file": true, "crt": true, "error-limit": true,
	"fall": true, "id": true, "init-addr": true, "inter": true, "fastinter": true, "downinter": true,
	"log-proto": true, "maxconn": true, "maxqueue": true, "max-reuse": true, "minconn": true, "namespace": true,
	"npn": true, "observe": true, "on-error": true, "on-marked-down": true, "on-marked-up": true,
	"pool-low-conn": true, "pool-max-conn": true, "pool-purge-delay": true, "port": true, "proto": true,
	"redir": true, "rise": true, "resolve-opts": true, "resolve-prefer": true, "resolve-net": true,
	"resolvers": true, "proxy-v2-options": true, "slowstart": true, "sni": true, "source": true,
	"ssl-max-ver": true, "ssl-min-ver": true, "socks4": true, "tcp-ut": true, "track": true, "verify": true,
	"verifyhost": true, "weight": true, "ws": true}

// serverOptionPairs are the server options Other keeps whose opposite
// the same line or a default-server line may have said first: the later
// one wins, as in HAProxy (a flag set, then cleared); each names the
// other, which it removes.
var serverOptionPairs = map[string]string{
	"tls-tickets": "no-tls-tickets", "no-tls-tickets": "tls-tickets",
	"ssl-reuse": "no-ssl-reuse", "no-ssl-reuse": "ssl-reuse",
}

func (s *state) server(px *Proxy, p Pos, w []string) {
	isDefault := w[0] == "default-server"
	opts := px.DefaultServer
	opts.Set = map[string]bool{}
	opts.Other = map[string]string{}
	for k, v := range px.DefaultServer.Set {
		opts.Set[k] = v
	}
	for k, v := range px.DefaultServer.Other {
		opts.Other[k] = v
	}
	srv := &Server{Pos: p}
	i := 1
	label, name := "default-server", "default-server"
	if !isDefault {
		if len(w) < 3 {
			s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : [%s:%d] : 'server' expects <name> and <addr>[:<port>] as arguments.", p.File, p.Line))
			s.fileFatal = true
			return
		}
		srv.Name = w[1]
		if w[0] == "server-template" {
			// HAProxy names a template's servers once their keywords
			// are parsed: its messages until then say "(null)"
			name = "(null)"
		} else {
			name = srv.Name
		}
		label = "server " + px.Name + "/" + name
		// HAProxy's address parser expands $VAR/${VAR} again (unquoted too);
		// its messages quote the address as written.
		exp := envExpand(w[2], s.env)
		a, err := ParseAddress(exp)
		if exp == "" {
			err = fmt.Errorf("'%s' resolves to an empty address (environment variable missing?)\n", w[2])
		} else if err == nil {
			a.Raw = w[2]
			err = serverPort(&a)
			a.Raw = exp
		}
		if err != nil {
			s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : [%s:%d] : '%s' : %s", p.File, p.Line, label, err))
			s.fileFatal = true
			return
		}
		srv.Addr = a
		i = 3
	}
	l := &serverLine{s: s, px: px, p: p, label: label, name: name, isDefault: isDefault, opts: &opts, srv: srv}
	if isDefault {
		srv.Name = "default-server"
	}
	for ; i < len(w); i++ {
		o := w[i]
		if !serverKeywordSet[o] {
			// HAProxy ends the sentence when it has nothing to suggest,
			// and on a default-server line (which has no address) hints
			// that the word may be one
			tail := didYouMean(o, serverSuggestions)
			if tail == "" {
				tail = "."
			}
			if isDefault {
				tail += " Hint: no address was expected for this server."
			}
			l.alert("unknown keyword '%s'%s", o, tail)
			return
		}
		if o == "id" && isDefault {
			// HAProxy alerts but goes on (exit 0): the id and its word
			// are skipped, the servers keep their own or automatic ids.
			l.s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : [%s:%d] : 'id' option is not accepted in default-server sections", p.File, p.Line))
			i++
			continue
		}
		if o == "usesrc" { // source takes its own
			l.alert("'usesrc' only allowed after a 'source' statement..")
			return
		}
		if o == "source" { // takes its usesrc and interface words
			n, ok := l.serverSource(w[i+1:])
			if !ok {
				return
			}
			opts.Set[o], opts.Other[o] = true, w[i+1]
			i += n
			continue
		}
		v := ""
		if serverWithArg[o] {
			if i+1 >= len(w) && o != "resolve-opts" && !serverEmptyIsZero[o] { // HAProxy reads it empty
				switch o {
				case "inter", "fastinter", "downinter":
					l.alert("'%s' expects a delay as argument..", o)
				case "cookie":
					l.alert("'cookie' expects <value> as argument..")
				default:
					if m := serverMissingArg[o]; m != "" {
						l.alert("%s", m)
					} else {
						l.alert("'%s' expects an argument.", o)
					}
				}
				return
			}
			if i+1 < len(w) {
				v = w[i+1]
				i++
			}
		}
		opts.Set[o] = true
		if h := serverOptionHandlers[o]; h != nil {
			if !h(l, o, v) {
				return
			}
		} else {
			opts.Other[o] = v
			if off := serverOptionPairs[o]; off != "" {
				delete(opts.Other, off) // the later word wins, a default-server's included
			}
		}
	}
	if _, agent := opts.Other["agent-check"]; agent && !isDefault {
		if _, port := opts.Other["agent-port"]; !port && opts.Port == 0 {
			l.alert("server %s does not have agent port. Agent check has been disabled.", srv.Name)
			return
		}
	}
	if _, track := opts.Other["track"]; track && opts.Check && !isDefault {
		// a tracking server takes its state from the tracked one
		l.alert("unable to enable checks and tracking at the same time!")
		return
	}
	if _, tfo := opts.Other["tfo"]; tfo && !isDefault && !retriesOnConnFailures(px) {
		s.d.Raw(Warning, p.File, p.Line, fmt.Sprintf("config : [%s:%d] : '%s' : server has tfo activated, the backend should be configured with at least 'conn-failure', 'empty-response' and 'response-timeout' or we wouldn't be able to retry the connection on failure.",
			p.File, p.Line, label))
	}
	if isDefault {
		px.DefaultServer = opts
		return
	}
	srv.ServerOptions = opts
	px.Servers = append(px.Servers, srv)
}

// parseServerTemplate is `server-template <prefix> <num | range>
// <fqdn>[:<port>] [params*]`: servers <prefix><i> for i in 1..num or the
// range, each as if declared by its own server line.
func (s *state) parseServerTemplate(px *Proxy, l *kwLine) bool {
	w, p := l.w, l.p
	if len(w) < 4 {
		s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : [%s:%d] : 'server-template' expects <prefix> <nb | range> <addr>[:<port>] as arguments.", p.File, p.Line))
		s.fileFatal = true
		return false
	}
	low, high, ok := templateRange(w[2])
	if !ok {
		s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : [%s:%d] : Wrong server-template number or range arg '%s'.", p.File, p.Line, w[2]))
		s.fileFatal = true
		return false
	}
	for i := low; i <= high; i++ {
		line := append([]string{"server-template", w[1] + strconv.Itoa(i), w[3]}, w[4:]...)
		before := len(px.Servers)
		s.server(px, p, line)
		if len(px.Servers) == before {
			return false // refused: reported once, as HAProxy stops at the first
		}
	}
	return false
}

// templateRange reads a server-template count ("3": 1 to 3) or range
// ("5-8"); both ends at least 1, in order.
func templateRange(arg string) (low, high int, ok bool) {
	a, b, isRange := strings.Cut(arg, "-")
	lo, err := strconv.Atoi(a)
	if err != nil || lo < 1 {
		return 0, 0, false
	}
	if !isRange {
		return 1, lo, true
	}
	hi, err := strconv.Atoi(b)
	if err != nil || hi < lo {
		return 0, 0, false
	}
	return lo, hi, true
}
