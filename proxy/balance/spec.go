package balance

// Spec is one backend's balancing as the configuration gives it: the
// `balance` algorithm with its arguments, and the settings that shape it
// (hash-type, hash-balance-factor, allbackups). proxy.Backend carries one
// and proxy.New builds the backend's Balancer from it with Build.
type Spec struct {
	// Algorithm is the algorithm word as written, with its parenthesised
	// argument: "roundrobin", "hdr(host)", "random(3)". See New.
	Algorithm string
	// Args are the words after the algorithm ("whole", "len", "12" for
	// uri; the parameter name and "check_post" for url_param; ...).
	Args    []string
	Options Options
}

// Build builds the Balancer spec describes over servers (in id order).
func Build(spec Spec, servers []*Server) (Balancer, error) {
	return New(spec.Algorithm, spec.Args, servers, spec.Options)
}

// Name is the algorithm without its argument, as `show stat` prints it
// ("hdr" for "hdr(host)").
func (s Spec) Name() string {
	for i := 0; i < len(s.Algorithm); i++ {
		if s.Algorithm[i] == '(' {
			return s.Algorithm[:i]
		}
	}
	return s.Algorithm
}

// Dynamic reports whether the backend takes weight changes at run time
// (IsDynamic).
func (s Spec) Dynamic() bool { return IsDynamic(s.Algorithm, s.Options) }
