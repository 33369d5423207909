package haproxy

import (
	"fmt"
	"net"
	"time"
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
	label := "default-server"
	if !isDefault {
		if len(w) < 3 {
			s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : [%s:%d] : 'server' expects <name> and <addr>[:<port>] as arguments.", p.File, p.Line))
			s.fileFatal = true
			return
		}
		srv.Name = w[1]
		label = "server " + px.Name + "/" + srv.Name
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
	srvAlert := func(format string, a ...any) {
		prefix := fmt.Sprintf("config : [%s:%d] : '%s' : ", p.File, p.Line, label)
		if isDefault {
			prefix = fmt.Sprintf("config : [%s:%d] : ", p.File, p.Line)
		}
		s.d.Raw(Alert, p.File, p.Line, prefix+fmt.Sprintf(format, a...))
		s.fileFatal = true
	}
	// Timer warnings: HAProxy puts the server line's context before the
	// first message of the line only.
	warnedTimer := false
	srvTimerWarn := func(v string) {
		prefix := fmt.Sprintf("[%s:%d] : '%s' : ", p.File, p.Line, label)
		if isDefault {
			prefix = fmt.Sprintf("[%s:%d] : ", p.File, p.Line)
		}
		if warnedTimer {
			prefix = ""
		}
		if s.timerWarn(p, v, prefix) {
			warnedTimer = true
		}
	}
	// srvDelay reads a check delay option's value as HAProxy's server
	// keyword parser does (2.6 names 'agent-inter' in its message whatever
	// the keyword); false: alerted.
	srvDelay := func(o, v string) (time.Duration, bool) {
		d, bad, err := ParseTime(v)
		if err != nil {
			if bad > 0 && bad < len(v) {
				srvAlert("unexpected character '%c' in 'agent-inter' argument of server %s..", v[bad], srv.Name)
			} else {
				srvAlert("'%s' expects a positive delay.", o)
			}
			return 0, false
		}
		srvTimerWarn(v)
		return d, true
	}
	if isDefault {
		srv.Name = "default-server"
	}
	for ; i < len(w); i++ {
		o := w[i]
		if !serverKeywordSet[o] {
			srvAlert("unknown keyword '%s'%s", o, didYouMean(o, serverKeywordCandidates))
			return
		}
		v := ""
		if serverWithArg[o] {
			if i+1 >= len(w) {
				switch o {
				case "inter", "fastinter", "downinter":
					srvAlert("'%s' expects a delay as argument..", o)
				case "cookie":
					srvAlert("'cookie' expects <value> as argument..")
				default:
					srvAlert("'%s' expects an argument.", o)
				}
				return
			}
			v = w[i+1]
			i++
		}
		opts.Set[o] = true
		switch o {
		case "check":
			opts.Check = true
		case "no-check":
			opts.Check = false
		case "backup":
			opts.Backup = true
		case "no-backup":
			opts.Backup = false
		case "disabled":
			opts.Disabled = true
		case "enabled":
			opts.Disabled = false
		case "send-proxy":
			opts.SendProxy = true
		case "send-proxy-v2":
			opts.SendProxyV2 = true
		case "ssl":
			opts.SSL = true
		case "no-ssl":
			opts.SSL = false
		case "verify":
			if v != "none" && v != "required" {
				srvAlert("'verify' : unknown verify method '%s', only 'none' and 'required' are supported.", v)
				return
			}
			opts.Verify = v
		case "slowstart":
			if _, bad, err := ParseTime(v); err != nil && bad < len(v) {
				srvAlert("unexpected character '%c' in 'slowstart' argument of server %s..", v[bad], srv.Name)
				return
			}
			srvTimerWarn(v)
			opts.Other[o] = v
		case "on-error":
			switch v {
			case "fastinter", "fail-check", "sudden-death", "mark-down":
			default:
				srvAlert("'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got '%s'.", v)
				return
			}
			opts.Other[o] = v
		case "proxy-v2-options":
			for _, opt := range splitComma(v) {
				switch opt {
				case "ssl", "cert-cn", "ssl-cipher", "cert-sig", "cert-key", "authority", "crc32c", "unique-id":
				default:
					srvAlert("'%s' : proxy v2 option not implemented.", opt)
					return
				}
			}
			opts.Other[o] = v
		case "init-addr":
			for _, m := range splitComma(v) {
				if m != "libc" && m != "last" && m != "none" && net.ParseIP(m) == nil {
					srvAlert("'init-addr' : unknown init-addr method '%s', supported methods are 'libc', 'last', 'none'..", m)
					return
				}
			}
			opts.Other[o] = v
		case "observe":
			if v != "none" && v != "layer4" && v != "layer7" {
				srvAlert("'observe' expects one of 'none', 'layer4', 'layer7' but got '%s'.", v)
				return
			}
			opts.Other[o] = v
		case "agent-inter":
			if _, ok := srvDelay(o, v); !ok {
				return
			}
			opts.Other[o] = v
		case "addr":
			opts.CheckAddr = v
		case "cookie":
			opts.Cookie = v
		case "inter", "fastinter", "downinter":
			d, ok := srvDelay(o, v)
			if !ok {
				return
			}
			if d == 0 {
				srvAlert("invalid value 0 for argument '%s' of server %s..", o, srv.Name)
				return
			}
			switch o {
			case "inter":
				opts.Inter = d
			case "fastinter":
				opts.FastInter = d
			default:
				opts.DownInter = d
			}
		case "rise", "fall", "weight", "maxconn", "maxqueue", "port", "id":
			n, _, _ := leadingInt(v) // atol(), as HAProxy reads them
			if (o == "rise" || o == "fall") && n <= 0 {
				srvAlert("'%s' has to be > 0..", o)
				return
			}
			switch o {
			case "rise":
				opts.Rise = n
			case "fall":
				opts.Fall = n
			case "weight":
				if n < 0 || n > 256 {
					srvAlert("weight of server %s is not within 0 and 256 (%d)..", srv.Name, n)
					return
				}
				opts.Weight = n
			case "maxconn":
				opts.Maxconn = n
			case "maxqueue":
				opts.Maxqueue = n
			case "port":
				opts.Port = n
			case "id":
				if n <= 0 {
					srvAlert("'id' : custom id has to be > 0.")
					return
				}
				for _, other := range px.Servers {
					if other.ID == n {
						srvAlert("'id' : custom id %d already used at %s:%d ('server %s').", n, other.Pos.File, other.Pos.Line, other.Name)
						return
					}
				}
				opts.ID = n
			}
		default:
			opts.Other[o] = v
		}
	}
	if _, agent := opts.Other["agent-check"]; agent && !isDefault {
		if _, port := opts.Other["agent-port"]; !port {
			srvAlert("server %s does not have agent port. Agent check has been disabled.", srv.Name)
			return
		}
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
