package proxy

// countResponse counts the status of the response forwarded.
func (x *exchange) countResponse(status int) {
	s := x.s
	x.status = status
	s.countHTTPStatus(status, true)
	s.fe.stats.countStatus(status)
	x.be.stats.countStatus(status)
	x.srv.stats.countStatus(status)
}
