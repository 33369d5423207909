package proxy

// SetLogLevel is http-request/http-response set-log-level: the
// transaction is logged at level Status-1, or not at all when Status is -1
// (silent), whatever log-separate-errors says (LogEntry.LogLevel).
const SetLogLevel RuleAction = 200
