package haproxy

// classTable is the fail-closed policy, one row per subject (class.go).
// PROVISIONAL: replaced by the full audited table.
var classTable = []ClassRow{
	{"global", "ca-base", InertUnlessTLS, "only TLS binds and servers read it"},
	{"global", "crt-base", InertUnlessTLS, "only TLS binds and servers read it"},
	{"global", "ssl-default-bind-ciphers", InertUnlessTLS, "no TLS bind uses it"},
	{"global", "ssl-default-bind-ciphersuites", InertUnlessTLS, "no TLS bind uses it"},
	{"global", "ssl-default-bind-options", InertUnlessTLS, "no TLS bind uses it"},
	{"global", "ssl-default-server-ciphers", InertUnlessTLS, "no TLS server uses it"},
	{"global", "ssl-default-server-ciphersuites", InertUnlessTLS, "no TLS server uses it"},
	{"global", "ssl-default-server-options", InertUnlessTLS, "no TLS server uses it"},
	{"global", "tune.ssl.default-dh-param", InertUnlessTLS, "no TLS bind uses it"},
	{"global", "tune.ssl.cachesize", InertUnlessTLS, "no TLS bind uses it"},
	{"global", "stats timeout", Inert, "idle timeout of the stats socket; the runtime API closes idle clients on its own"},
	{"global", "description", Inert, "shown only on the stats page"},
	{"global", "cpu-map", Inert, "goha leaves thread placement to the Go scheduler"},
	{"proxy", "description", Inert, "shown only on the stats page"},
}
