package osslrsa

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	keysOnce sync.Once
	keys     map[int]*rsa.PrivateKey
)

func testKeys(t testing.TB) map[int]*rsa.PrivateKey {
	keysOnce.Do(func() {
		keys = map[int]*rsa.PrivateKey{}
		for _, bits := range []int{2048, 3072, 4096} {
			k, err := rsa.GenerateKey(rand.Reader, bits)
			if err != nil {
				panic(err)
			}
			keys[bits] = k
		}
	})
	return keys
}

// opensslKey is New(k) as a *Key: on a cgo Linux build libcrypto must
// take the key (make deps installs it).
func opensslKey(t testing.TB, k *rsa.PrivateKey) *Key {
	t.Helper()
	if !linked {
		t.Skip("built without cgo: Go signs (TestNoCgoIsGo)")
	}
	if v, err := Version(); err != nil {
		t.Fatalf("libcrypto: %v", err)
	} else if v == "" {
		t.Fatal("libcrypto: no version")
	}
	s, ok := New(k).(*Key)
	if !ok {
		t.Fatalf("New returned %T, not an OpenSSL key", New(k))
	}
	return s
}

func TestNoCgoIsGo(t *testing.T) {
	if linked {
		t.Skip("cgo build: TestSign")
	}
	k := testKeys(t)[2048]
	if s := New(k); s != crypto.Signer(k) {
		t.Fatalf("New without cgo = %T, want the Go key", s)
	}
}

func digestOf(h crypto.Hash, msg []byte) []byte {
	switch h {
	case crypto.SHA1:
		d := sha1.Sum(msg)
		return d[:]
	case crypto.SHA224:
		d := sha256.Sum224(msg)
		return d[:]
	case crypto.SHA256:
		d := sha256.Sum256(msg)
		return d[:]
	case crypto.SHA384:
		d := sha512.Sum384(msg)
		return d[:]
	}
	d := sha512.Sum512(msg)
	return d[:]
}

// TestSign: every hash and padding crypto/tls and crypto/x509 ask for,
// signed by OpenSSL (the C call itself must succeed, no Go fallback),
// verified by Go; PKCS#1 v1.5 signatures are deterministic, so they must
// equal Go's byte for byte.
func TestSign(t *testing.T) {
	msg := []byte("goha handshake transcript")
	for _, bits := range []int{2048, 3072, 4096} {
		gk := testKeys(t)[bits]
		k := opensslKey(t, gk)
		for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512, crypto.SHA1, crypto.SHA224} {
			d := digestOf(h, msg)
			type variant struct {
				name string
				opts crypto.SignerOpts
			}
			vs := []variant{{"pkcs1v15", h}}
			for _, sl := range []int{rsa.PSSSaltLengthEqualsHash, rsa.PSSSaltLengthAuto, 20} {
				vs = append(vs, variant{fmt.Sprintf("pss-salt%d", sl), &rsa.PSSOptions{SaltLength: sl, Hash: h}})
			}
			for _, v := range vs {
				t.Run(fmt.Sprintf("%d/%v/%s", bits, h, v.name), func(t *testing.T) {
					md, _ := mdOf(h)
					po, pss := v.opts.(*rsa.PSSOptions)
					salt := 0
					if pss {
						salt = map[int]int{rsa.PSSSaltLengthEqualsHash: saltDigest, rsa.PSSSaltLengthAuto: saltMax}[po.SaltLength]
						if salt == 0 {
							salt = po.SaltLength
						}
					}
					raw := make([]byte, gk.Size())
					if n, ok := sign(k.h, pss, md, salt, d, raw); !ok || n != gk.Size() {
						t.Fatalf("OpenSSL sign: ok=%v n=%d", ok, n)
					}
					sig, err := k.Sign(rand.Reader, d, v.opts)
					if err != nil {
						t.Fatal(err)
					}
					if pss {
						for _, s := range [][]byte{raw, sig} {
							if err := rsa.VerifyPSS(&gk.PublicKey, h, d, s, po); err != nil {
								t.Fatalf("VerifyPSS: %v", err)
							}
						}
						return
					}
					for _, s := range [][]byte{raw, sig} {
						if err := rsa.VerifyPKCS1v15(&gk.PublicKey, h, d, s); err != nil {
							t.Fatalf("VerifyPKCS1v15: %v", err)
						}
					}
					want, _ := gk.Sign(rand.Reader, d, h)
					if !bytes.Equal(raw, want) {
						t.Fatal("OpenSSL's PKCS#1 v1.5 signature differs from Go's")
					}
				})
			}
		}
	}
}

// TestSignByGo: what OpenSSL is not given (TLS 1.0's MD5+SHA1, a digest
// of the wrong length) Go signs or refuses as it would.
func TestSignByGo(t *testing.T) {
	gk := testKeys(t)[2048]
	k := opensslKey(t, gk)
	d := make([]byte, 36)
	sig, err := k.Sign(rand.Reader, d, crypto.MD5SHA1)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(&gk.PublicKey, crypto.MD5SHA1, d, sig); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Sign(rand.Reader, make([]byte, 31), crypto.SHA256); err == nil {
		t.Fatal("a 31-byte SHA-256 digest was signed")
	}
	if !k.Equal(gk) || !k.Equal(k) || k.Public().(*rsa.PublicKey).N.Cmp(gk.N) != 0 {
		t.Fatal("Equal/Public do not name the Go key")
	}
	ct, _ := rsa.EncryptOAEP(sha256.New(), rand.Reader, &gk.PublicKey, []byte("premaster"), nil)
	if pt, err := k.Decrypt(rand.Reader, ct, &rsa.OAEPOptions{Hash: crypto.SHA256}); err != nil || string(pt) != "premaster" {
		t.Fatalf("Decrypt: %q %v", pt, err)
	}
}

// TestSignConcurrent: one key signed from many goroutines at once (run
// under -race), every signature verified.
func TestSignConcurrent(t *testing.T) {
	gk := testKeys(t)[2048]
	k := opensslKey(t, gk)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				d := digestOf(crypto.SHA256, []byte{byte(g), byte(i)})
				var opts crypto.SignerOpts = crypto.SHA256
				if i%2 == 1 {
					opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
				}
				sig, err := k.Sign(rand.Reader, d, opts)
				if err == nil {
					if po, ok := opts.(*rsa.PSSOptions); ok {
						err = rsa.VerifyPSS(&gk.PublicKey, crypto.SHA256, d, sig, po)
					} else {
						err = rsa.VerifyPKCS1v15(&gk.PublicKey, crypto.SHA256, d, sig)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if k.bad.Load() {
		t.Fatal("the key fell back to Go")
	}
}

// TestKeyFreed: a Key no longer referenced releases its EVP_PKEY.
func TestKeyFreed(t *testing.T) {
	gk := testKeys(t)[2048]
	opensslKey(t, gk)
	before := freed.Load()
	for i := 0; i < 10; i++ {
		New(gk)
	}
	deadline := time.Now().Add(10 * time.Second)
	for freed.Load()-before < 10 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := freed.Load() - before; n < 10 {
		t.Fatalf("%d of 10 keys released", n)
	}
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRSASign: one RSA 2048 signature as a TLS 1.3 handshake makes
// it (PSS, SHA-256, salt = hash) and as TLS 1.2 may (PKCS#1 v1.5), by Go
// and by OpenSSL, in process.
func BenchmarkRSASign(b *testing.B) {
	gk := testKeys(b)[2048]
	d := digestOf(crypto.SHA256, []byte("x"))
	signers := []struct {
		name string
		s    crypto.Signer
	}{{"go", gk}}
	if linked {
		signers = append(signers, struct {
			name string
			s    crypto.Signer
		}{"openssl", opensslKey(b, gk)})
	}
	for _, s := range signers {
		for _, o := range []struct {
			name string
			opts crypto.SignerOpts
		}{{"pss", &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}}, {"pkcs1v15", crypto.SHA256}} {
			b.Run(s.name+"/"+o.name, func(b *testing.B) {
				c0 := cpuTime()
				for b.Loop() {
					if _, err := s.s.Sign(rand.Reader, d, o.opts); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// TestMain: OSSLRSA_TEST_LIB names the library to open instead of
// libcrypto.so.3 (TestWithoutLibcrypto's child).
func TestMain(m *testing.M) {
	if l := os.Getenv("OSSLRSA_TEST_LIB"); l != "" {
		libName = l
	}
	os.Exit(m.Run())
}

// TestWithoutLibcrypto: where the library cannot be opened, New hands
// back the Go key, which signs, and Version says why (run in a child
// process: the library is opened once per process).
func TestWithoutLibcrypto(t *testing.T) {
	if !linked {
		t.Skip("built without cgo: TestNoCgoIsGo")
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestFallbackChild$", "-test.v")
	cmd.Env = append(os.Environ(), "OSSLRSA_TEST_LIB=libcrypto-goha-missing.so.3")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestFallbackChild") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func TestFallbackChild(t *testing.T) {
	if os.Getenv("OSSLRSA_TEST_LIB") == "" {
		t.Skip("TestWithoutLibcrypto's child")
	}
	v, err := Version()
	if err == nil || v != "" || !strings.Contains(err.Error(), "libcrypto-goha-missing.so.3") {
		t.Fatalf("Version = %q, %v", v, err)
	}
	gk := testKeys(t)[2048]
	s := New(gk)
	if s != crypto.Signer(gk) {
		t.Fatalf("New = %T, want the Go key", s)
	}
	d := digestOf(crypto.SHA256, []byte("x"))
	sig, err := s.Sign(rand.Reader, d, crypto.SHA256)
	if err != nil || rsa.VerifyPKCS1v15(&gk.PublicKey, crypto.SHA256, d, sig) != nil {
		t.Fatalf("Go signature: %v", err)
	}
}

// TestFirstSignatureChecked: a key whose OpenSSL half is not its Go half
// (what a broken library would give) is caught at its first signature:
// that one and every later one are Go's, and they verify.
func TestFirstSignatureChecked(t *testing.T) {
	ka := testKeys(t)[2048]
	kb, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other := opensslKey(t, kb)
	k := &Key{goKey: ka, h: other.h}
	d := digestOf(crypto.SHA256, []byte("x"))
	for i := 0; i < 2; i++ {
		sig, err := k.Sign(rand.Reader, d, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256})
		if err != nil {
			t.Fatal(err)
		}
		if err := rsa.VerifyPSS(&ka.PublicKey, crypto.SHA256, d, sig, nil); err != nil {
			t.Fatalf("signature %d: %v", i, err)
		}
	}
	if !k.bad.Load() {
		t.Fatal("the mismatch was not noticed")
	}
	runtime.KeepAlive(other)
}

// TestSmallKeyStaysGo: a key under 1024 bits is not handed to OpenSSL,
// so Go's refusal to sign with it holds.
func TestSmallKeyStaysGo(t *testing.T) {
	t.Setenv("GODEBUG", "rsa1024min=0")
	k, err := rsa.GenerateKey(rand.Reader, 512)
	if err != nil {
		t.Fatal(err)
	}
	if s := New(k); s != crypto.Signer(k) {
		t.Fatalf("New(512-bit key) = %T", s)
	}
}
