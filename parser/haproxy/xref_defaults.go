package haproxy

// defaultsRuleRefs checks, as HAProxy 2.6 does once for each defaults section
// a proxy starts from (before that proxy's own checks), the references of
// the defaults section's TCP and HTTP rules: a track-sc's table (its
// own name when none is given, which no table has), and the tables,
// proxies and servers their samples name (sampleArgRefs: a stick-table
// fetch or converter naming no table is refused, "table name must be
// set", as a defaults section has none). A defaults section no proxy
// starts from is not checked (HAProxy drops it unchecked). True on an
// error.
func (s *state) defaultsRuleRefs(d *Proxy) bool {
	fatal := s.trackTableRefs(d)
	return s.sampleArgRefs(d, nil) || fatal
}
