package balance

import (
	"fmt"
	"strings"
)

// build is Build: the typed spec to its balancer. Every parameter an
// algorithm needs must be set (the configuration adapter fills HAProxy's
// defaults); a zero or out-of-range one is an error, never defaulted here.
func build(spec Spec, servers []*Server) (Balancer, error) {
	opts := spec.Options
	switch spec.Algorithm {
	case "":
		return nil, fmt.Errorf("balance: no algorithm")
	case "roundrobin":
		return newRoundRobin(servers, opts), nil
	case "static-rr":
		return &staticRR{w: newWeightMap(servers, opts.AllBackups)}, nil
	case "leastconn":
		return newLeastConn(servers, opts), nil
	case "first":
		return newFirst(servers, opts), nil
	case "random":
		if spec.Draws < 1 {
			return nil, fmt.Errorf("balance random: invalid number of draws %d", spec.Draws)
		}
		return newRandom(servers, opts, spec.Draws), nil
	case "source":
		return newHashed(servers, opts, sourceKey{}), nil
	case "uri":
		u := spec.URI
		if u.Len < 0 || u.Depth < 0 {
			return nil, fmt.Errorf("balance uri: len %d and depth %d must not be negative", u.Len, u.Depth)
		}
		return newHashed(servers, opts, uriKey{length: u.Len, depth: u.Depth, whole: u.Whole, pathOnly: u.PathOnly}), nil
	case "hash":
		k, err := sampleKey(spec.Hash)
		if err != nil {
			return nil, err
		}
		return newHashed(servers, opts, k), nil
	case "url_param":
		if spec.URLParam.Name == "" {
			return nil, fmt.Errorf("balance url_param requires an URL parameter name")
		}
		return newHashed(servers, opts, paramKey{name: spec.URLParam.Name, checkPost: spec.URLParam.CheckPost}), nil
	case "rdp-cookie":
		if spec.RDPCookie == "" {
			return nil, fmt.Errorf("balance rdp-cookie requires a cookie name")
		}
		return newHashed(servers, opts, rdpKey{name: spec.RDPCookie}), nil
	case "hdr":
		if spec.Header.Name == "" {
			return nil, fmt.Errorf("balance hdr requires a header name: hdr(name)")
		}
		return newHashed(servers, opts, headerKey{name: strings.ToLower(spec.Header.Name), domainOnly: spec.Header.UseDomainOnly}), nil
	}
	return nil, fmt.Errorf("balance %s: not supported", spec.Algorithm)
}
