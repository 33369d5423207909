package acl

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/base64"
	"fmt"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// aes_gcm_dec(<bits>,<nonce>,<key>,<aead_tag>) decrypts its binary input
// with AES-GCM, as HAProxy 2.6's OpenSSL-backed converter: the nonce, key
// and tag are base64 constants (decoded when the configuration is read)
// or variables holding base64 (decoded per request); the nonce may have
// any length, the tag 1 to 16 bytes (OpenSSL checks that many bytes of
// the computed tag), and the key gives its first bits/8 bytes. Anything
// else, a tag that does not match included, is no sample.
func init() {
	bin, str := haproxy.SampleBin, argStr
	register(map[string]convDef{
		"aes_gcm_dec": {in: bin, out: bin, args: []argKind{argSInt, str, str, str}, min: 4, rbuild: buildAESGCM},
	})
}

// b64Arg is one of aes_gcm_dec's base64 arguments: a constant, decoded
// now, or a variable read per request.
type b64Arg struct {
	val   []byte
	isVar bool
	ref   varRef
}

func parseB64Arg(s, what string) (b64Arg, error) {
	bad := fmt.Errorf("failed to parse %s : argument needs to be base64 encoded, and can either be a string or a variable", what)
	if s == "" {
		return b64Arg{val: []byte{}}, nil
	}
	if isVarName(s) {
		ref, err := argVar(s)
		if err != nil {
			return b64Arg{}, err
		}
		return b64Arg{isVar: true, ref: ref}, nil
	}
	if len(s)%4 != 0 {
		return b64Arg{}, bad
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return b64Arg{}, bad
	}
	return b64Arg{val: b}, nil
}

func (a b64Arg) get(r *proxy.RequestInfo) ([]byte, bool) {
	if !a.isVar {
		return a.val, true
	}
	v, ok := loadVarAs(r, a.ref, haproxy.SampleStr)
	if !ok {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(v.s)
	return b, err == nil
}

func buildAESGCM(a convArgs) (convFunc, reqConvFunc, error) {
	bits := a.ints[0]
	if bits != 128 && bits != 192 && bits != 256 {
		return nil, nil, fmt.Errorf("key size must be 128, 192 or 256 (bits).")
	}
	var parts [3]b64Arg
	for i, what := range []string{"nonce", "key", "aead_tag"} {
		p, err := parseB64Arg(a.strs[i+1], what)
		if err != nil {
			return nil, nil, err
		}
		parts[i] = p
	}
	return nil, func(r *proxy.RequestInfo, v *value) bool {
		nonce, ok1 := parts[0].get(r)
		key, ok2 := parts[1].get(r)
		tag, ok3 := parts[2].get(r)
		if !ok1 || !ok2 || !ok3 {
			return false
		}
		out, ok := aesGCMOpen(int(bits/8), key, nonce, tag, sbytes(v.s))
		if !ok {
			return false
		}
		*v = value{t: haproxy.SampleBin, s: string(out)}
		return true
	}, nil
}

// aesGCMOpen decrypts ct and checks the first len(tag) bytes of its GCM
// tag. Go's AEAD wants 12 to 16 byte tags: the plaintext is ct XOR the
// key stream (the sealing of zeros), and the tag is the one sealing the
// plaintext again gives.
func aesGCMOpen(keyLen int, key, nonce, tag, ct []byte) ([]byte, bool) {
	if len(key) < keyLen || len(nonce) == 0 || len(tag) == 0 || len(tag) > 16 {
		return nil, false
	}
	block, err := aes.NewCipher(key[:keyLen])
	if err != nil {
		return nil, false
	}
	g, err := cipher.NewGCMWithNonceSize(block, len(nonce))
	if err != nil {
		return nil, false
	}
	stream := g.Seal(nil, nonce, make([]byte, len(ct)), nil)[:len(ct)]
	pt := make([]byte, len(ct))
	subtle.XORBytes(pt, ct, stream)
	sealed := g.Seal(nil, nonce, pt, nil)
	if subtle.ConstantTimeCompare(sealed[len(ct):len(ct)+len(tag)], tag) != 1 {
		return nil, false
	}
	return pt, true
}
