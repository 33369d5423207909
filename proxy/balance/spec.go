package balance

// Spec is one backend's balancing as the configuration gives it: the
// `balance` algorithm with its typed parameters, and the settings that shape
// it (hash-type, hash-balance-factor, allbackups). proxy.Backend carries
// one and proxy.New builds the backend's Balancer from it with Build.
//
// The fields mirror parser/haproxy's typed Balance; proxy/haproxycfg fills
// them, with HAProxy's defaults from parser/haproxy's defaults table. Build
// never re-reads configuration words and never defaults a parameter: a zero
// value an algorithm needs (random's draws, url_param's name, ...) is an
// error.
type Spec struct {
	// Algorithm is the algorithm's name without its parenthesised
	// argument: "roundrobin", "static-rr", "leastconn", "first", "source",
	// "uri", "url_param", "hdr", "random", "rdp-cookie", "hash".
	Algorithm string
	URI       URIParams      // uri
	URLParam  URLParamParams // url_param
	Header    HeaderParams   // hdr(<name>)
	// Draws is random(<draws>): how many servers are drawn before the
	// least loaded is picked (>= 1).
	Draws int
	// RDPCookie is rdp-cookie(<name>) ("mstshash" by default).
	RDPCookie string
	// Hash is the sample `balance hash <expr>` hashes.
	Hash    HashSample
	Options Options
}

// URIParams are `balance uri [len <n>] [depth <n>] [whole] [path-only]`
// (0 = no limit).
type URIParams struct {
	Len, Depth      int
	Whole, PathOnly bool
}

// URLParamParams are `balance url_param <name> [check_post]`.
type URLParamParams struct {
	Name      string
	CheckPost bool
}

// HeaderParams are `balance hdr(<name>) [use_domain_only]`. The name is
// matched case-insensitively.
type HeaderParams struct {
	Name          string
	UseDomainOnly bool
}

// SampleFetch is the fetch of a `balance hash` expression, among those
// Build supports (one fetch, no converters).
type SampleFetch int

const (
	NoFetch       SampleFetch = iota // the zero value: refused by Build
	FetchSrc                         // src: the source address bytes
	FetchPath                        // path: the uri algorithm's path-only key
	FetchURL                         // url: the uri algorithm's whole key
	FetchURLParam                    // urlp(<name>) / url_param(<name>)
	FetchReqHdr                      // req.hdr(<name>) / hdr(<name>): last value of the last occurrence
)

// HashSample is the sample expression of `balance hash <expr>`: a fetch
// and, for urlp and req.hdr, its name argument.
type HashSample struct {
	Fetch SampleFetch
	Param string
}

// Build builds the Balancer spec describes over servers (in id order).
// servers are in id order (Server.ID = position). The balancer reads each
// server's Up, Weight and Backup now and again on every Update; Conns and
// MaxConn are read live on each Pick.
func Build(spec Spec, servers []*Server) (Balancer, error) {
	return build(spec, servers)
}

// Name is the algorithm without its argument, as `show stat` prints it
// ("hdr" for hdr(host)).
func (s Spec) Name() string { return s.Algorithm }

// Dynamic reports whether the backend takes weight changes at run time.
// HAProxy's static algorithms (static-rr and the map-based hashes) only
// accept a weight of 0 or the configured one: its runtime API answers
// "Backend is using a static LB algorithm and only accepts weights '0%' and
// '100%'." to anything else.
func (s Spec) Dynamic() bool {
	if s.Algorithm == "static-rr" {
		return false
	}
	if s.Hashed() {
		return s.Options.Consistent
	}
	return true
}

// Hashed reports whether the algorithm picks a server by hashing a key
// (source, uri, url_param, hdr, rdp-cookie, hash: HAProxy's
// BE_LB_KIND_HI). Such a farm keeps retrying the server the key maps to
// rather than redispatching at once, and is static unless consistent.
func (s Spec) Hashed() bool {
	switch s.Algorithm {
	case "source", "uri", "url_param", "hdr", "rdp-cookie", "hash":
		return true
	}
	return false
}
