package h2

// blockCache keeps the last header block a connection's encoder wrote
// when that block only referenced table entries: HPACK then leaves the
// dynamic table as it was, so the same fields encode to the same bytes
// as long as the encoder writes nothing else. Responses of one
// connection repeat their fields (a server's content-type, server,
// date within its second, a file's length), and the second and later
// ones skip the encoder's table search (two to four map lookups per
// field, about 2% of an HTTP/2 request's CPU). The bytes sent are the
// ones the encoder would have written: a block that inserted or evicted
// entries, or a table size change, is never reused.
type blockCache struct {
	status int
	fields []Field
	block  []byte
	ok     bool // block may be reused for status and fields
}

// lookup returns the cached block for status and fields, nil if none.
func (bc *blockCache) lookup(status int, fields []Field) []byte {
	if !bc.ok || status != bc.status || len(fields) != len(bc.fields) {
		return nil
	}
	for i := range fields {
		if fields[i] != bc.fields[i] {
			return nil
		}
	}
	return bc.block
}

// note records the block the encoder has just written for status and
// fields (n representations: the fields, and :status when status > 0).
// The encoder's table changed unless every representation is an
// indexed one.
func (bc *blockCache) note(status int, fields []Field, block []byte) {
	n := len(fields)
	if status > 0 {
		n++
	}
	bc.ok = onlyIndexed(block, n)
	if !bc.ok {
		return
	}
	bc.status = status
	bc.fields = append(bc.fields[:0], fields...)
	bc.block = append(bc.block[:0], block...)
}

// forget drops the cached block: the encoder's table is about to change
// otherwise than through a block (a new size limit).
func (bc *blockCache) forget() {
	bc.ok = false
	clear(bc.fields) // no strings kept alive
	bc.fields = bc.fields[:0]
}

// onlyIndexed reports whether block is exactly n indexed header field
// representations (RFC 7541 §6.1: first bit set, index as an integer
// with a 7-bit prefix), nothing else: no literal, no table size update.
func onlyIndexed(block []byte, n int) bool {
	for i := 0; i < len(block); n-- {
		if block[i]&0x80 == 0 {
			return false
		}
		if block[i]&0x7f != 0x7f {
			i++
			continue
		}
		// Multi-byte index: continuation bytes carry bit 7.
		for i++; i < len(block) && block[i]&0x80 != 0; i++ {
		}
		if i == len(block) {
			return false // truncated (cannot happen with a whole block)
		}
		i++
	}
	return n == 0
}
