package proxy

import (
	"net/netip"
	"reflect"
	"testing"
)

// Every RequestInfo field is either a connection fact a parked session
// keeps (connInfo) or set again by each transaction before it is read;
// a new field must be put in one of the two lists (and in connInfo when
// it outlives a transaction).
func TestConnInfoCoversRequestInfo(t *testing.T) {
	kept := map[string]bool{
		"Src": true, "Dst": true, "Backend": true, "RequestNum": true, "PrioClass": true, "PrioOffset": true,
		"TLS": true, "FrontCert": true, "FrontTLS": true, "TLSErrors": true, "ConnFailure": true,
		"Payload": true, "PayloadFinal": true, "payloadShort": true, "inspecting": true,
		"vars": true, "track": true, "vsize": true, "shared": true,
		// derived again from the session (restoreDerived)
		"Frontend": true, "ListenerID": true, "PP": true, "Listener": true, "makeUniqueID": true,
		"px": true, "cliTCP": true, "req": true, "logLevel": true,
	}
	perTxn := map[string]bool{
		"Method": true, "Target": true, "uniqueID": true, "uniqueIDDone": true, "reqCaps": true,
		"resCaps": true, "resp": true, "compAlgo": true, "cache": true, "resBody": true,
		"resPlain": true, "resPlainDone": true, "respConn": true, "body": true,
		"plain": true, "plainDone": true, "hdrs": true, "edited": true, "kept": true,
		"server": true, "srvConn": true, "srvErr": true, "srvTried": true, "srvTriedFrom": true, "lastRule": true,
		"stream": true, "eval": true, "sessGiven": true, "rawOn": true, "raw": true,
		// set by each inspection pass before its rules read them (tcp_content.go)
		"inspectUntil": true, "inspectDelay": true,
	}
	rt := reflect.TypeOf(RequestInfo{})
	for i := range rt.NumField() {
		name := rt.Field(i).Name
		if kept[name] == perTxn[name] {
			t.Errorf("RequestInfo.%s: neither kept over a park nor per transaction (or both)", name)
		}
	}
	// What save keeps, restore gives back.
	var i, back RequestInfo
	i.Src = netip.MustParseAddrPort("192.0.2.1:1234")
	i.RequestNum, i.PrioOffset, i.SSLErr, i.PayloadFinal = 3, -5, 7, true
	i.FrontTLS.FrontSessionKey = []byte("k")
	i.vsize[levelSess] = 96
	var c connInfo
	c.save(&i)
	c.restore(&back)
	if !reflect.DeepEqual(i, back) {
		t.Errorf("restored %+v\nwant %+v", back, i)
	}
	if !reflect.DeepEqual(c, connInfo{}) {
		t.Error("connInfo still holds what it gave back")
	}
}

// What restoreDerived sets is what beginConnInfo set for the connection.
func TestRestoreDerivedMatchesBeginConnInfo(t *testing.T) {
	cfg := seedConfig("127.0.0.1:1")
	cfg.Frontends[0].UniqueID = func(*RequestInfo, *LogEntry) string { return "id" }
	p, err := New(cfg, Options{NewBalancer: newTestBalancer})
	if err != nil {
		t.Fatal(err)
	}
	bind := &bindInfo{id: 7, listener: &Listener{}}
	s := &session{txn: newTxn(), p: p, fe: p.frontends[0], bind: bind, c: &tconn{}, parkedFD: -1,
		pp: ProxyReceived{}, src: netip.MustParseAddrPort("192.0.2.1:1000")}
	s.beginConnInfo()
	want := s.info
	s.txn = newTxn()
	s.restoreDerived()
	got := s.info
	if got.Frontend != want.Frontend || got.ListenerID != want.ListenerID || got.Listener != want.Listener ||
		got.px != want.px || got.PP != want.PP || got.cliTCP != want.cliTCP ||
		got.makeUniqueID == nil || want.makeUniqueID == nil || got.req != &s.req || got.logLevel != &s.tl.logLevel {
		t.Errorf("restored %+v\nbegun    %+v", got, want)
	}
}
