//go:build cgo && linux

package osslrsa

/*
#cgo LDFLAGS: -ldl
// The C side keeps no Go pointer and never calls Go.
#cgo noescape goha_sign
#cgo noescape goha_load
#cgo nocallback goha_sign
#cgo nocallback goha_load
#cgo nocallback goha_free
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

// The libcrypto functions used, found by dlsym; their types are the
// headers' (libssl-dev), so a mismatch fails the build.
static struct {
	__typeof__(&OpenSSL_version_num) version_num;
	__typeof__(&OpenSSL_version) version;
	__typeof__(&ERR_clear_error) err_clear;
	__typeof__(&d2i_PrivateKey) d2i_key;
	__typeof__(&EVP_PKEY_free) key_free;
	__typeof__(&EVP_PKEY_CTX_new) ctx_new;
	__typeof__(&EVP_PKEY_CTX_free) ctx_free;
	__typeof__(&EVP_PKEY_sign_init) sign_init;
	__typeof__(&EVP_PKEY_sign) sign;
	__typeof__(&EVP_PKEY_CTX_set_rsa_padding) set_padding;
	__typeof__(&EVP_PKEY_CTX_set_rsa_pss_saltlen) set_saltlen;
	__typeof__(&EVP_PKEY_CTX_set_signature_md) set_md;
	__typeof__(&EVP_get_digestbyname) digest;
} goha_f;

#define GOHA_NMD 5
static const EVP_MD *goha_md[GOHA_NMD];
static char goha_dlerr[256];

// goha_open: 0 when libcrypto.so.3 (OpenSSL 3) is open with every
// function and digest, else a step number.
static int goha_open(const char *lib, const char **names) {
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		strncpy(goha_dlerr, e != NULL ? e : "dlopen failed", sizeof goha_dlerr - 1);
		return 1;
	}
#define GOHA_SYM(field, name) if ((*(void **)&goha_f.field = dlsym(h, name)) == NULL) return 2;
	GOHA_SYM(version_num, "OpenSSL_version_num")
	GOHA_SYM(version, "OpenSSL_version")
	GOHA_SYM(err_clear, "ERR_clear_error")
	GOHA_SYM(d2i_key, "d2i_PrivateKey")
	GOHA_SYM(key_free, "EVP_PKEY_free")
	GOHA_SYM(ctx_new, "EVP_PKEY_CTX_new")
	GOHA_SYM(ctx_free, "EVP_PKEY_CTX_free")
	GOHA_SYM(sign_init, "EVP_PKEY_sign_init")
	GOHA_SYM(sign, "EVP_PKEY_sign")
	GOHA_SYM(set_padding, "EVP_PKEY_CTX_set_rsa_padding")
	GOHA_SYM(set_saltlen, "EVP_PKEY_CTX_set_rsa_pss_saltlen")
	GOHA_SYM(set_md, "EVP_PKEY_CTX_set_signature_md")
	GOHA_SYM(digest, "EVP_get_digestbyname")
#undef GOHA_SYM
	if ((goha_f.version_num() >> 28) != 3) return 3;
	for (int i = 0; i < GOHA_NMD; i++) {
		if ((goha_md[i] = goha_f.digest(names[i])) == NULL) {
			goha_f.err_clear();
			return 4;
		}
	}
	return 0;
}

static const char *goha_dlerror(void) { return goha_dlerr; }

static const char *goha_version(void) { return goha_f.version(OPENSSL_VERSION); }

static EVP_PKEY *goha_load(const unsigned char *der, long len) {
	const unsigned char *p = der;
	EVP_PKEY *k = goha_f.d2i_key(EVP_PKEY_RSA, NULL, &p, len);
	if (k == NULL) goha_f.err_clear();
	return k;
}

static void goha_free(EVP_PKEY *k) { goha_f.key_free(k); }

// goha_sign: one signature with a context of its own; 1 on success.
static int goha_sign(EVP_PKEY *k, int pss, int md, int salt,
		const unsigned char *dg, size_t dglen, unsigned char *sig, size_t *siglen) {
	EVP_PKEY_CTX *c = goha_f.ctx_new(k, NULL);
	int ok = c != NULL && md >= 0 && md < GOHA_NMD
		&& goha_f.sign_init(c) > 0
		&& goha_f.set_padding(c, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) > 0
		&& goha_f.set_md(c, goha_md[md]) > 0
		&& (!pss || goha_f.set_saltlen(c, salt) > 0)
		&& goha_f.sign(c, sig, siglen, dg, dglen) > 0;
	if (c != NULL) goha_f.ctx_free(c);
	if (!ok) goha_f.err_clear();
	return ok;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// linked: libcrypto is tried (cgo on Linux).
const linked = true

const (
	saltDigest = int(C.RSA_PSS_SALTLEN_DIGEST)
	saltMax    = int(C.RSA_PSS_SALTLEN_MAX)
)

// handle is an EVP_PKEY owned by one Key.
type handle C.EVP_PKEY

func openLib() (string, error) {
	lib := C.CString(libName)
	defer C.free(unsafe.Pointer(lib))
	names := make([]*C.char, len(mdNames))
	for i, n := range mdNames {
		names[i] = C.CString(n)
		defer C.free(unsafe.Pointer(names[i]))
	}
	switch C.goha_open(lib, &names[0]) {
	case 0:
		return C.GoString(C.goha_version()), nil
	case 1:
		return "", errors.New(C.GoString(C.goha_dlerror()))
	case 2:
		return "", errors.New(libName + ": a function is missing")
	case 3:
		return "", errors.New(libName + ": not OpenSSL 3")
	default:
		return "", errors.New(libName + ": a digest is missing")
	}
}

func loadKey(der []byte) *handle {
	return (*handle)(C.goha_load((*C.uchar)(unsafe.Pointer(&der[0])), C.long(len(der))))
}

func freeHandle(h *handle) { C.goha_free((*C.EVP_PKEY)(h)) }

func sign(h *handle, pss bool, md, salt int, digest, sig []byte) (int, bool) {
	p := 0
	if pss {
		p = 1
	}
	n := C.size_t(len(sig))
	ok := C.goha_sign((*C.EVP_PKEY)(h), C.int(p), C.int(md), C.int(salt),
		(*C.uchar)(unsafe.Pointer(&digest[0])), C.size_t(len(digest)),
		(*C.uchar)(unsafe.Pointer(&sig[0])), &n)
	return int(n), ok == 1
}
