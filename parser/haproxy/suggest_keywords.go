package haproxy

// The words HAProxy 2.6.12 tries, in its order, for the "did you mean" of
// an unknown global, proxy or server keyword (cfg_find_best_match,
// srv_find_best_kw; the rule is suggest's in keywords.go: the first of
// the closest wins, so order decides ties). Each list is the keywords
// registered in tables, in registration order, then the section's own
// list of words parsed by hand (global, proxy) or of option values
// (server), which HAProxy tries last.
//
// Read from the Debian 2.6.12-1+deb12u4 binary: the registered lists by
// walking cfg_keywords and srv_keywords under gdb once their initcalls had
// run (their contents are the global, listen and server entries of
// testdata/haproxy/registry, TestSuggestListsMatchRegistry), the hand-kept
// lists from the binary's string-pointer arrays. Compared with haproxy -c
// on misspellings of every word: TestKeywordSuggestMatchesHAProxy.

var globalSuggestRegistered = []string{
	"ca-base", "crt-base", "issuers-chain-path", "maxsslconn", "ssl-default-bind-options",
	"ssl-default-server-options", "ssl-dh-param-file", "ssl-mode-async", "ssl-propquery",
	"ssl-provider", "ssl-provider-path", "ssl-skip-self-issued-ca", "tune.ssl.cachesize",
	"tune.ssl.default-dh-param", "tune.ssl.force-private-cache", "tune.ssl.lifetime",
	"tune.ssl.maxrecord", "tune.ssl.hard-maxrecord", "tune.ssl.ssl-ctx-cache-size",
	"tune.ssl.capture-cipherlist-size", "tune.ssl.capture-buffer-size", "tune.ssl.keylog",
	"ssl-default-bind-ciphers", "ssl-default-server-ciphers", "ssl-default-bind-curves",
	"ssl-default-bind-ciphersuites", "ssl-default-server-ciphersuites", "ssl-load-extra-files",
	"ssl-load-extra-del-ext", "lua-prepend-path", "lua-load", "lua-load-per-thread",
	"tune.lua.session-timeout", "tune.lua.task-timeout", "tune.lua.service-timeout",
	"tune.lua.forced-yield", "tune.lua.maxmem", "tune.h2.header-table-size",
	"tune.h2.initial-window-size", "tune.h2.max-concurrent-streams", "tune.h2.max-frame-size",
	"h1-accept-payload-with-any-method", "h1-case-adjust", "h1-case-adjust-file",
	"tune.idle-pool.shared", "tune.pool-high-fd-ratio", "tune.pool-low-fd-ratio", "default-path",
	"tune.peers.max-updates-at-once", "stats", "pp2-never-send-local", "grace", "hard-stop-after",
	"close-spread-time", "httpclient.resolvers.id", "httpclient.resolvers.prefer",
	"httpclient.ssl.verify", "httpclient.ssl.ca-file", "tune.listener.multi-queue", "set-var",
	"set-var-fmt", "tune.vars.global-max-size", "tune.vars.proc-max-size", "tune.vars.sess-max-size",
	"tune.vars.txn-max-size", "tune.vars.reqres-max-size", "tune.vars.check-max-size",
	"tune.sched.low-latency", "tune.fail-alloc", "no-memory-trimming", "mworker-max-reloads",
	"tune.fd.edge-triggered", "profiling.tasks", "nbthread", "thread-group", "thread-groups",
}

// globalSuggestOwn is cfgparse-global.c's list (some of its words, such as
// "tune.chksize" or "nbproc", are refused or gone in 2.6; HAProxy still
// offers them).
var globalSuggestOwn = []string{
	"global", "daemon", "master-worker", "noepoll", "nokqueue", "noevports", "nopoll", "busy-polling",
	"set-dumpable", "insecure-fork-wanted", "insecure-setuid-wanted", "nosplice", "nogetaddrinfo",
	"noreuseport", "quiet", "zero-warning", "tune.runqueue-depth", "tune.maxpollevents",
	"tune.maxaccept", "tune.recv_enough", "tune.buffers.limit", "tune.buffers.reserve",
	"tune.bufsize", "tune.maxrewrite", "tune.idletimer", "tune.rcvbuf.client", "tune.rcvbuf.server",
	"tune.sndbuf.client", "tune.sndbuf.server", "tune.pipesize", "tune.http.cookielen",
	"tune.http.logurilen", "tune.http.maxhdr", "tune.comp.maxlevel", "tune.pattern.cache-size", "uid",
	"gid", "external-check", "user", "group", "nbproc", "maxconn", "ssl-server-verify", "maxconnrate",
	"maxsessrate", "maxsslrate", "maxcomprate", "maxpipes", "maxzlibmem", "maxcompcpuusage",
	"ulimit-n", "chroot", "description", "node", "pidfile", "unix-bind", "log", "log-send-hostname",
	"server-state-base", "server-state-file", "log-tag", "spread-checks", "max-spread-checks",
	"cpu-map", "setenv", "presetenv", "unsetenv", "resetenv", "strict-limits", "localpeer",
	"numa-cpu-mapping", "defaults", "listen", "frontend", "backend", "peers", "resolvers",
	"cluster-secret",
}

var proxySuggestRegistered = []string{
	"http-check", "tcp-check", "timeout", "clitimeout", "contimeout", "srvtimeout", "rate-limit",
	"max-keep-alive-queue", "declare", "retry-on", "clitcpka-cnt", "srvtcpka-cnt", "clitcpka-idle",
	"srvtcpka-idle", "clitcpka-intvl", "srvtcpka-intvl", "errorloc", "errorloc302", "errorloc303",
	"errorfile", "errorfiles", "http-error", "tcp-request", "tcp-response", "filter", "use-fcgi-app",
	"compression", "external-check",
}

// proxySuggestOwn is cfgparse-listen.c's list ("force-persist" twice, as
// there; removed words such as "block" or "monitor-net" included).
var proxySuggestOwn = []string{
	"listen", "frontend", "backend", "defaults", "server", "default-server", "server-template",
	"bind", "monitor-net", "monitor-uri", "mode", "id", "description", "disabled", "enabled",
	"bind-process", "acl", "dynamic-cookie-key", "cookie", "email-alert", "persist", "appsession",
	"load-server-state-from-file", "server-state-file-name", "max-session-srv-conns", "capture",
	"retries", "http-request", "http-response", "http-after-response", "http-send-name-header",
	"block", "redirect", "use_backend", "use-server", "force-persist", "ignore-persist",
	"force-persist", "stick-table", "stick", "stats", "option", "default_backend", "http-reuse",
	"monitor", "transparent", "maxconn", "backlog", "fullconn", "dispatch", "balance", "hash-type",
	"hash-balance-factor", "unique-id-format", "unique-id-header", "log-format", "log-format-sd",
	"log-tag", "log", "source", "usesrc", "error-log-format",
}

// serverSuggestRegistered holds every registered entry, those this build
// leaves without a parser included (srv_find_best_kw tries them all).
var serverSuggestRegistered = []string{
	"allow-0rtt", "alpn", "ca-file", "check-alpn", "check-sni", "check-ssl", "ciphers",
	"ciphersuites", "crl-file", "crt", "force-sslv3", "force-tlsv10", "force-tlsv11", "force-tlsv12",
	"force-tlsv13", "no-check-ssl", "no-send-proxy-v2-ssl", "no-send-proxy-v2-ssl-cn", "no-ssl",
	"no-ssl-reuse", "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "no-tls-tickets",
	"npn", "send-proxy-v2-ssl", "send-proxy-v2-ssl-cn", "sni", "ssl", "ssl-min-ver", "ssl-max-ver",
	"ssl-reuse", "tls-tickets", "verify", "verifyhost", "backup", "cookie", "disabled", "enabled",
	"error-limit", "ws", "id", "init-addr", "log-proto", "maxconn", "maxqueue", "max-reuse",
	"minconn", "namespace", "no-backup", "no-send-proxy", "no-send-proxy-v2", "no-tfo", "non-stick",
	"observe", "on-error", "on-marked-down", "on-marked-up", "pool-low-conn", "pool-max-conn",
	"pool-purge-delay", "proto", "proxy-v2-options", "redir", "resolve-net", "resolve-opts",
	"resolve-prefer", "resolvers", "send-proxy", "send-proxy-v2", "slowstart", "source", "stick",
	"tfo", "track", "socks4", "usesrc", "weight", "addr", "agent-addr", "agent-check", "agent-inter",
	"agent-port", "agent-send", "check", "check-proto", "check-send-proxy", "check-via-socks4",
	"no-agent-check", "no-check", "no-check-send-proxy", "rise", "fall", "inter", "fastinter",
	"downinter", "port", "tcp-ut",
}

// serverSuggestValues is server.c's extra_kw_list: values of other
// server options, offered as keywords.
var serverSuggestValues = []string{"ipv4", "ipv6", "legacy", "octet-count", "fail-check", "sudden-death", "mark-down"}

var (
	globalSuggestions = append(append([]string{}, globalSuggestRegistered...), globalSuggestOwn...)
	proxySuggestions  = append(append([]string{}, proxySuggestRegistered...), proxySuggestOwn...)
	serverSuggestions = append(append([]string{}, serverSuggestRegistered...), serverSuggestValues...)
)
