package proxy

// connExpect is what tcp-request connection expect-proxy and
// expect-netscaler-cip rules ask of a connection: the headers it starts
// with besides those its bind takes (proxyhdr.go acceptHeaders: PROXY,
// then NetScaler CIP with the bind's magic, 0 on a bind without
// accept-netscaler-cip, as HAProxy 2.6 compares it).
type connExpect uint8

const (
	expectProxy connExpect = 1 << iota
	expectCIP
)

func connExpectOf(r *TCPConnRule) connExpect {
	var e connExpect
	if r.ExpectProxy {
		e |= expectProxy
	}
	if r.ExpectCIP {
		e |= expectCIP
	}
	return e
}
