package proxy

import "testing"

// A variable read with ReadVar stays what it was for the rest of the
// transaction, whatever is stored after: the sample engine's strings
// alias the copy, never the store's buffer, which a set-var rewrites in
// place.
func TestReadVarKeepsItsCopy(t *testing.T) {
	r := &RequestInfo{}
	r.StoreVar(ScopeTxn, 0, &Var{Type: 7, Bytes: []byte("first")})
	var a Var
	if !r.ReadVar(ScopeTxn, 0, &a) || string(a.Bytes) != "first" || a.Type != 7 {
		t.Fatalf("read %+v", a)
	}
	r.StoreVar(ScopeTxn, 0, &Var{Type: 7, Bytes: []byte("other")})
	var b Var
	if !r.ReadVar(ScopeTxn, 0, &b) || string(b.Bytes) != "other" {
		t.Fatalf("second read %q", b.Bytes)
	}
	if string(a.Bytes) != "first" {
		t.Fatalf("the first read became %q", a.Bytes)
	}
	s := r.Scratch(3)
	copy(s, "abc")
	if string(a.Bytes) != "first" || string(b.Bytes) != "other" {
		t.Fatalf("Scratch overwrote a read: %q %q", a.Bytes, b.Bytes)
	}
	r.endTransaction()
	if r.ReadVar(ScopeTxn, 0, &a) {
		t.Fatal("a txn variable outlived its transaction")
	}
	if r.ReadVar(ScopeSess, 3, &a) || r.ReadVar(ScopeProc, 1<<20, &a) {
		t.Fatal("an unset variable read as set")
	}
}

// The scratch of a session whose transactions never end stays bounded:
// past keptMax a new array is taken.
func TestScratchBounded(t *testing.T) {
	r := &RequestInfo{}
	for range 10000 {
		r.Scratch(100)
	}
	if cap(r.kept) > 2*keptMax+100 {
		t.Fatalf("scratch grew to %d bytes", cap(r.kept))
	}
}
