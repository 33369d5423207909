package acl

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"hash"
	"math/big"
	"os"
	"sync"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// jwt_verify(<alg>,<key>) of HAProxy 2.6 (jwt.c): the signature of a
// compact JWS checked with an HMAC secret or with a public key loaded from
// a file when the configuration is read. The result is HAProxy's code.
func init() {
	register(map[string]convDef{
		"jwt_verify": {in: haproxy.SampleBin, out: haproxy.SampleSInt, args: []argKind{argStr, argStr}, min: 2, rbuild: buildJWTVerify},
	})
}

// HAProxy's jwt_verify results.
const (
	jwtKO           = 0
	jwtOK           = 1
	jwtUnknownAlg   = -1
	jwtUnmanagedAlg = -2
	jwtInvalidToken = -3
	jwtUnknownCert  = -5
)

type jwtAlg struct {
	family byte // 'H'mac, 'R'SA PKCS#1 v1.5, 'E'CDSA, 'P'SS, 'n'one
	hash   crypto.Hash
}

var jwtAlgs = map[string]jwtAlg{
	"HS256": {'H', crypto.SHA256}, "HS384": {'H', crypto.SHA384}, "HS512": {'H', crypto.SHA512},
	"RS256": {'R', crypto.SHA256}, "RS384": {'R', crypto.SHA384}, "RS512": {'R', crypto.SHA512},
	"ES256": {'E', crypto.SHA256}, "ES384": {'E', crypto.SHA384}, "ES512": {'E', crypto.SHA512},
	"PS256": {'P', crypto.SHA256}, "PS384": {'P', crypto.SHA384}, "PS512": {'P', crypto.SHA512},
	"none": {'n', 0},
}

// jwtKeys are the public keys named by jwt_verify arguments, loaded
// when a configuration is compiled (HAProxy's certificate tree: no disk
// access per request).
var jwtKeys sync.Map // file name -> crypto.PublicKey

// loadJWTKey reads a PEM public key ("PUBLIC KEY"; HAProxy 2.6.12 does
// not take a certificate, TestJWTVerifyDifferential); a file that does
// not load is left out (HAProxy ignores the error at parse time, and the
// converter then answers "unknown certificate").
func loadJWTKey(name string) {
	if _, ok := jwtKeys.Load(name); ok {
		return
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return
	}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return
		}
		switch b.Type {
		case "PUBLIC KEY":
			if k, err := x509.ParsePKIXPublicKey(b.Bytes); err == nil {
				jwtKeys.Store(name, k)
				return
			}
		}
	}
}

func buildJWTVerify(a convArgs) (convFunc, reqConvFunc, error) {
	algArg, keyArg := a.strs[0], a.strs[1]
	algVar, keyVar := isVarName(algArg), isVarName(keyArg)
	if !algVar {
		alg, ok := jwtAlgs[algArg]
		if !ok {
			return nil, nil, fmt.Errorf("unknown JWT algorithm: %s", algArg)
		}
		if alg.family == 'P' {
			return nil, nil, fmt.Errorf("RSASSA-PSS JWS signing not managed yet")
		}
	}
	if !keyVar {
		loadJWTKey(keyArg)
	}
	if !algVar && !keyVar {
		return func(v *value) bool { v.i = jwtVerify(v.s, algArg, keyArg); return true }, nil, nil
	}
	var algRef, keyRef varRef
	var err error
	if algVar {
		if algRef, err = argVar(algArg); err != nil {
			return nil, nil, err
		}
	}
	if keyVar {
		if keyRef, err = argVar(keyArg); err != nil {
			return nil, nil, err
		}
	}
	return nil, func(r *proxy.RequestInfo, v *value) bool {
		alg, key := algArg, keyArg
		if algVar {
			s, ok := loadVarAs(r, algRef, haproxy.SampleStr)
			if !ok {
				return false
			}
			alg = s.s
		}
		if keyVar {
			s, ok := loadVarAs(r, keyRef, haproxy.SampleStr)
			if !ok {
				return false
			}
			key = s.s
		}
		v.i = jwtVerify(v.s, alg, key)
		return true
	}, nil
}

// jwtVerify checks token's signature; the steps and codes are HAProxy's.
func jwtVerify(token, algName, key string) int64 {
	alg, ok := jwtAlgs[algName]
	if !ok {
		return jwtUnknownAlg
	}
	var dots []int
	for i := 0; i < len(token); i++ {
		if token[i] == '.' {
			dots = append(dots, i)
			if len(dots) == 3 {
				return jwtInvalidToken // more than three parts
			}
		}
	}
	if alg.family == 'n' && len(dots) == 1 {
		return jwtOK // "none" accepts a token without its empty third part
	}
	if len(dots) != 2 {
		return jwtInvalidToken
	}
	signed, sigText := token[:dots[1]], token[dots[1]+1:]
	if alg.family == 'n' {
		if sigText == "" {
			return jwtOK
		}
		return jwtKO
	}
	if sigText == "" {
		return jwtInvalidToken
	}
	sv := value{s: sigText}
	if !ub64dec(&sv) {
		return jwtInvalidToken
	}
	sig := []byte(sv.s)
	switch alg.family {
	case 'H':
		m := hmac.New(hashNew(alg.hash), []byte(key))
		m.Write([]byte(signed))
		if hmac.Equal(m.Sum(nil), sig) {
			return jwtOK
		}
		return jwtKO
	case 'R', 'E':
		k, ok := jwtKeys.Load(key)
		if !ok {
			return jwtUnknownCert
		}
		h := hashNew(alg.hash)()
		h.Write([]byte(signed))
		sum := h.Sum(nil)
		return verifyWithKey(k, alg, sum, sig)
	}
	return jwtUnmanagedAlg
}

func hashNew(h crypto.Hash) func() hash.Hash {
	switch h {
	case crypto.SHA384:
		return sha512.New384
	case crypto.SHA512:
		return sha512.New
	}
	return sha256.New
}

// verifyWithKey is OpenSSL's EVP verification as HAProxy calls it: the
// RS family verifies with whatever key the file holds (an EC key then
// reads a DER signature, as HAProxy 2.6.12 accepts); the ES family first
// splits the JWS signature in halves R||S, whatever the curve, and a
// signature of odd length is an invalid token (TestJWTVerifyDifferential).
func verifyWithKey(k any, alg jwtAlg, sum, sig []byte) int64 {
	ok := false
	if alg.family == 'E' && len(sig)%2 != 0 {
		return jwtInvalidToken
	}
	switch pub := k.(type) {
	case *rsa.PublicKey:
		ok = alg.family == 'R' && rsa.VerifyPKCS1v15(pub, alg.hash, sum, sig) == nil
	case *ecdsa.PublicKey:
		if alg.family == 'R' {
			ok = ecdsa.VerifyASN1(pub, sum, sig)
			break
		}
		n := len(sig) / 2
		r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
		ok = ecdsa.Verify(pub, sum, r, s)
	}
	if ok {
		return jwtOK
	}
	return jwtKO
}
