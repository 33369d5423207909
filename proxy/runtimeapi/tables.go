package runtimeapi

import (
	"sort"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/proxy/stick"
)

// Tables is implemented by a Source that serves the stick-table commands
// (show table, clear table, set table); without it there is no table.
type Tables interface {
	// StickTables lists the tables in declaration order.
	StickTables() []*stick.Table
	// StickNow is the tables' clock.
	StickNow() uint32
}

// init inserts the table commands in HAProxy's alphabetical help order
// (after maps.go's init: files initialise in name order).
func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"clear", "table"}, usage: "clear table <table> [<filter>]*", desc: "remove an entry from a table (filter: data/key)", level: LevelOperator, run: cmdClearTable},
		{words: []string{"set", "table"}, usage: "set table <table> key <k> [data.* <v>]*", desc: "update or create a table entry's data", level: LevelAdmin, run: cmdSetTable},
		{words: []string{"show", "table"}, usage: "show table <table> [<filter>]*", desc: "report table usage stats or dump this table's contents (filter: data/key)", run: cmdShowTable},
	}, commands[len(commands)-3:]...)...)
	listed := commands[:len(commands)-3]
	sort.SliceStable(listed, func(i, j int) bool { return listed[i].usage < listed[j].usage })
}

func (s *Session) tables() (Tables, []*stick.Table) {
	t, ok := s.src.(Tables)
	if !ok {
		return nil, nil
	}
	return t, t.StickTables()
}

func (s *Session) table(name string) (*stick.Table, uint32, bool) {
	src, all := s.tables()
	for _, t := range all {
		if t.Name() == name {
			return t, src.StickNow(), true
		}
	}
	return nil, 0, false
}

// tableQuery is what follows the table name of show/clear table: data
// filters, or a key.
type tableQuery struct {
	key     []byte
	filters []stick.Filter
	hasKey  bool
	badKey  bool
}

// parseTableQuery reads the filters or the key of show/clear table with
// HAProxy 2.6's messages.
func parseTableQuery(t *stick.Table, args []string, verb string) (tableQuery, string) {
	var q tableQuery
	for i := 0; i < len(args); {
		switch {
		case args[i] == "key":
			if i+1 >= len(args) {
				return q, "Key value expected\n"
			}
			q.hasKey = true
			if t.Config().Key == stick.KeyBinary {
				return q, verb + " keys from tables of type other than ip, ipv6, string and integer is not supported\n"
			}
			k, err := t.Config().ParseKey(args[i+1])
			if err != nil {
				q.badKey = true
			}
			q.key = k
			i += 2
		case strings.HasPrefix(args[i], "data."):
			n := len(q.filters) + 1
			name := strings.TrimPrefix(args[i], "data.")
			d, ok := stick.LookupDataType(name)
			if !ok || d.IsArray() {
				return q, "Filter entry #" + strconv.Itoa(n) + ": Unknown data type\n"
			}
			if _, stored := t.Stores(d); !stored {
				return q, "Filter entry #" + strconv.Itoa(n) + ": Data type not stored in this table\n"
			}
			op := ""
			if i+1 < len(args) {
				op = args[i+1]
			}
			switch op {
			case "eq", "ne", "le", "ge", "lt", "gt":
			default:
				return q, "Filter entry #" + strconv.Itoa(n) + `: Require and operator among "eq", "ne", "le", "ge", "lt", "gt"` + "\n"
			}
			v := ""
			if i+2 < len(args) {
				v = args[i+2]
			}
			f, err := t.ParseFilter(args[i], op, v)
			if err != nil {
				return q, "Filter entry #" + strconv.Itoa(n) + ": Require a valid integer value to compare against\n"
			}
			q.filters = append(q.filters, f)
			i += 3
		default:
			return q, `Optional argument only supports "data.<store_data_type>" <operator> <value> and key <key>` + "\n"
		}
	}
	return q, ""
}

func cmdShowTable(s *Session, args []string) string {
	args = args[2:]
	src, all := s.tables()
	var b []byte
	if len(args) == 0 {
		// Every table's header, the last declared first (HAProxy's list).
		for i := len(all) - 1; i >= 0; i-- {
			all[i].Purge(src.StickNow())
			b = all[i].AppendHeader(b)
		}
		return string(b)
	}
	t, now, ok := s.table(args[0])
	if !ok {
		return "No such table\n"
	}
	q, msg := parseTableQuery(t, args[1:], "Showing")
	if msg != "" {
		return msg
	}
	t.Purge(now)
	if q.badKey || q.hasKey && !t.Has(q.key) {
		return "" // HAProxy prints nothing, not even the header
	}
	b = t.AppendHeader(b)
	return string(t.AppendEntries(b, q.key, q.filters, now))
}

func cmdClearTable(s *Session, args []string) string {
	args = args[2:]
	if len(args) == 0 {
		return `Required arguments: <table> "data.<store_data_type>" <operator> <value> or <table> key <key>` + "\n"
	}
	t, now, ok := s.table(args[0])
	if !ok {
		return "No such table\n"
	}
	q, msg := parseTableQuery(t, args[1:], "Removing")
	if msg != "" {
		return msg
	}
	if !q.badKey {
		t.Clear(q.key, q.filters, now)
	}
	return ""
}

func cmdSetTable(s *Session, args []string) string {
	args = args[2:]
	if len(args) == 0 {
		return `Required arguments: <table> key <key> [data.<store_data_type> <value>]*` + "\n"
	}
	t, now, ok := s.table(args[0])
	if !ok {
		return "No such table\n"
	}
	args = args[1:]
	if len(args) < 2 || args[0] != "key" {
		return "Key value expected\n"
	}
	if t.Config().Key == stick.KeyBinary {
		return "Inserting keys into tables of type other than ip, ipv6, string and integer is not supported\n"
	}
	key, err := t.Config().ParseKey(args[1])
	if err != nil {
		return ""
	}
	ref, ok := t.Acquire(key, true, now)
	if !ok {
		return "Unable to allocate a new entry\n"
	}
	defer ref.Release(false, now)
	for rest := args[2:]; len(rest) > 0; rest = rest[2:] {
		name, isData := strings.CutPrefix(rest[0], "data.")
		if !isData {
			return `"data.<type>" followed by a value expected` + "\n"
		}
		d, known := stick.LookupDataType(name)
		if !known || d.IsArray() {
			return "Unknown data type\n"
		}
		if _, stored := t.Stores(d); !stored {
			return "Data type not stored in this table\n"
		}
		if len(rest) < 2 {
			return "Require a valid integer value to store\n"
		}
		v, err := strconv.ParseInt(rest[1], 10, 64)
		if err != nil {
			return "Require a valid integer value to store\n"
		}
		ref.Set(d, 0, uint64(v), now)
	}
	return ""
}
