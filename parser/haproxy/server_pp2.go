package haproxy

// PP2Opts are the PROXY v2 TLV flags of a server (HAProxy's pp_opts bits
// beside SRV_PP_V1/SRV_PP_V2, which ServerOptions.SendProxy/SendProxyV2
// hold). They are one bit set because HAProxy's keywords set and clear
// them in line order: `proxy-v2-options` adds to what a default-server
// said, `no-send-proxy-v2-ssl` clears the SSL bit whichever keyword set it.
type PP2Opts uint16

// The flags, one per proxy-v2-options word; SSL and CN also come from
// send-proxy-v2-ssl and send-proxy-v2-ssl-cn.
const (
	PP2SSL PP2Opts = 1 << iota
	PP2SSLCN
	PP2SSLCipher
	PP2SSLSigAlg
	PP2SSLKeyAlg
	PP2Authority
	PP2CRC32C
	PP2UniqueID
)

// pp2OptionWords are proxy-v2-options' words and what each sets (the
// certificate sub-TLVs imply the SSL TLV, as in HAProxy).
var pp2OptionWords = map[string]PP2Opts{
	"ssl":        PP2SSL,
	"cert-cn":    PP2SSL | PP2SSLCN,
	"ssl-cipher": PP2SSL | PP2SSLCipher,
	"cert-sig":   PP2SSL | PP2SSLSigAlg,
	"cert-key":   PP2SSL | PP2SSLKeyAlg,
	"authority":  PP2Authority,
	"crc32c":     PP2CRC32C,
	"unique-id":  PP2UniqueID,
}

// serverPP2Flag is send-proxy-v2-ssl[-cn] (on: v2 and the flags set) and
// their no- forms (v2 and the flags cleared; a send-proxy said before
// stays, and so does any other flag, which alone still makes HAProxy send
// a v1 line).
func serverPP2Flag(f PP2Opts, on bool) serverOptionHandler {
	return func(l *serverLine, o, v string) bool {
		l.opts.SendProxyV2 = on
		if on {
			l.opts.PP2 |= f
		} else {
			l.opts.PP2 &^= f
		}
		return true
	}
}

func serverProxyV2Options(l *serverLine, o, v string) bool {
	for _, opt := range splitComma(v) {
		f, ok := pp2OptionWords[opt]
		if !ok {
			l.alert("'%s' : proxy v2 option not implemented.", opt)
			return false
		}
		l.opts.PP2 |= f
	}
	return true
}
