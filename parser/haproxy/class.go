package haproxy

// Class is what goha does with a piece of HAProxy's grammar it accepts: the
// fail-closed policy (README, "What goha does with what it does not
// implement"). Every keyword, option, bind and server option, action,
// sample fetch, converter, ACL keyword, filter and service HAProxy 2.6
// registers has exactly one row in classTable.
type Class uint8

const (
	// Unclassified is the zero value: a subject with no row. Tests fail on
	// it; at run time it is treated as Unsupported (fail closed).
	Unclassified Class = iota
	// Implemented: HAProxy 2.6's semantics, covered by tests.
	Implemented
	// Inert: HAProxy's documented effect cannot change what is served, to
	// whom, on which port, or what is logged. Accepted with one warning
	// ("has no effect in goha").
	Inert
	// InertUnlessTLS: a TLS setting; inert while no bind or server of the
	// configuration uses TLS, unsupported otherwise.
	InertUnlessTLS
	// Unsupported: refused (ALERT, exit 1, no start) unless the operator
	// passes --allow-unsupported or GOHA_ALLOW_UNSUPPORTED=1.
	Unsupported
)

func (c Class) String() string {
	switch c {
	case Implemented:
		return "implemented"
	case Inert:
		return "inert"
	case InertUnlessTLS:
		return "inert unless TLS"
	case Unsupported:
		return "unsupported"
	}
	return "unclassified"
}

// ClassRow is one row of the policy table.
//
// Kind names the grammar family; Name is the keyword as HAProxy writes it:
//
//	global               global keyword ("tune.bufsize", "stats timeout")
//	proxy                defaults/frontend/backend/listen keyword, multi-word
//	                     as in configuration.txt 4.1 ("option httplog",
//	                     "timeout client", "stats auth", "balance")
//	bind, server         bind and server options ("ssl", "check")
//	http-request, http-response, http-after-response,
//	tcp-request connection, tcp-request session, tcp-request content,
//	tcp-response content, tcp-check, http-check
//	                     actions / rules of that ruleset
//	fetch, converter     sample fetches and converters
//	acl                  ACL keywords (hdr_beg, path_end, ...)
//	filter, service      filter names and use-service names
//	userlist, peers, resolvers, mailers, http-errors, cache, program, ring
//	                     statements of those sections
//
// Why says, in a few words, where it is implemented or why it is inert.
type ClassRow struct {
	Kind, Name string
	Class      Class
	Why        string
}

// classIndex is classTable keyed by "kind name".
var classIndex = func() map[string]ClassRow {
	m := make(map[string]ClassRow, len(classTable))
	for _, r := range classTable {
		m[r.Kind+" "+r.Name] = r
	}
	return m
}()

// ClassOf returns the row of a subject, and false when it has none.
func ClassOf(kind, name string) (ClassRow, bool) {
	r, ok := classIndex[kind+" "+name]
	return r, ok
}

// ClassTable returns every row, in table order (KEYWORDS.md, tests).
func ClassTable() []ClassRow { return append([]ClassRow(nil), classTable...) }
