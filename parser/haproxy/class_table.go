package haproxy

// classTable is the fail-closed policy, one row per subject (class.go).
var classTable = []ClassRow{}
