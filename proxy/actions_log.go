package proxy

// SetLogLevel is http-request/http-response set-log-level: the
// transaction is logged at level Status-1, or not at all when Status is -1
// (silent), whatever log-separate-errors says (LogEntry.LogLevel).
const SetLogLevel RuleAction = 200

// LogLevelExec is the Exec of a tcp-request content or tcp-response
// content set-log-level in tcp mode (level as SetLogLevel's Status): the
// session's line is logged at that level, or not at all.
func LogLevelExec(level int) func(*RequestInfo) {
	return func(r *RequestInfo) {
		if r.logLevel != nil {
			*r.logLevel = int8(level)
		}
	}
}
