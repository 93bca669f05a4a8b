package repo

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// testKey makes a signing key; rsa picks RSA 2048 (as archive keys are
// RSA) over Ed25519; at, when not zero, is its creation time and life
// its lifetime.
func testKey(t testing.TB, name string, rsa bool, at time.Time, life time.Duration) *openpgp.Entity {
	t.Helper()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, KeyLifetimeSecs: uint32(life / time.Second)}
	if rsa {
		cfg.Algorithm, cfg.RSABits = packet.PubKeyAlgoRSA, 2048
	}
	if !at.IsZero() {
		cfg.Time = func() time.Time { return at }
	}
	e, err := openpgp.NewEntity(name, "", strings.ToLower(name)+"@example.org", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// publicKeys serializes the public keys of es, armored (one block each)
// or binary (concatenated).
func publicKeys(t testing.TB, armored bool, es ...*openpgp.Entity) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, e := range es {
		if !armored {
			if err := e.Serialize(&out); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := armor.Encode(&out, openpgp.PublicKeyType, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Serialize(w); err != nil {
			t.Fatal(err)
		}
		w.Close()
		out.WriteString("\n")
	}
	return out.Bytes()
}

// keyringOf builds a Keyring of the public keys of es.
func keyringOf(t testing.TB, es ...*openpgp.Entity) *Keyring {
	t.Helper()
	k, err := ReadKeyring(publicKeys(t, false, es...))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// clearsigned clearsigns text with the keys of es, in order.
func clearsigned(t testing.TB, text string, es ...*openpgp.Entity) []byte {
	t.Helper()
	var keys []*packet.PrivateKey
	for _, e := range es {
		keys = append(keys, e.PrivateKey)
	}
	var out bytes.Buffer
	w, err := clearsign.EncodeMulti(&out, keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// detached signs data with e, binary.
func detached(t testing.TB, e *openpgp.Entity, data []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := openpgp.DetachSign(&out, e, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

const releaseText = "Origin: Test\nSuite: stable\n-----BEGIN odd line\n- dash line\nSHA256:\n abc 1 main/x\n"

func TestVerifyClearsigned(t *testing.T) {
	good := testKey(t, "Good", false, time.Time{}, 0)
	other := testKey(t, "Other", false, time.Time{}, 0)
	archive := testKey(t, "Archive", true, time.Time{}, 0)
	k := keyringOf(t, good, archive)
	msg := clearsigned(t, releaseText, good)
	tests := []struct {
		name    string
		k       *Keyring
		data    []byte
		signer  string // a substring of the signer; "" for an error
		errText string
	}{
		{"good", k, msg, "good@example.org", ""},
		{"rsa", k, clearsigned(t, releaseText, archive), "archive@example.org", ""},
		{"unknown first", k, clearsigned(t, releaseText, other, good), "good@example.org", ""},
		{"unknown last", k, clearsigned(t, releaseText, good, other), "good@example.org", ""},
		{"two known", k, clearsigned(t, releaseText, archive, good), "archive@example.org", ""},
		{"unknown only", k, clearsigned(t, releaseText, other), "", "not in the keyring"},
		{"modified", k, bytes.Replace(msg, []byte("stable"), []byte("unstab"), 1), "", "bad signature by key"},
		{"empty keyring", &Keyring{}, msg, "", "keyring is empty"},
		{"nil keyring", nil, msg, "", "keyring is empty"},
		{"truncated", k, msg[:len(msg)-60], "", "malformed"},
		{"truncated body", k, msg[:len(msg)/2], "", "malformed"},
		{"unsigned", k, []byte(releaseText), "", "not a clearsigned message"},
		{"prefix", k, append([]byte("Origin: Evil\n"), msg...), "", "not a clearsigned message"},
		{"suffix", k, append(append([]byte{}, msg...), "Origin: Evil\n"...), "", "follow the clearsigned message"},
		{"empty", k, nil, "", "not a clearsigned message"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, signer, err := tc.k.VerifyClearsigned(tc.data)
			if tc.signer == "" {
				if err == nil || !errors.Is(err, ErrSignature) || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("err = %v, want ErrSignature with %q", err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(signer, tc.signer) {
				t.Errorf("signer %q lacks %q", signer, tc.signer)
			}
			if string(text) != releaseText {
				t.Errorf("text = %q, want %q", text, releaseText)
			}
		})
	}
}

func TestVerifyClearsignedExpired(t *testing.T) {
	past := time.Now().Add(-48 * time.Hour)
	old := testKey(t, "Old", false, past, time.Hour)
	good := testKey(t, "Good", false, time.Time{}, 0)
	var out bytes.Buffer
	w, err := clearsign.Encode(&out, old.PrivateKey, &packet.Config{Time: func() time.Time { return past.Add(time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(releaseText))
	w.Close()
	k := keyringOf(t, old, good)
	if _, _, err := k.VerifyClearsigned(out.Bytes()); !errors.Is(err, ErrSignature) || !strings.Contains(err.Error(), "key expired") {
		t.Fatalf("err = %v, want key expired", err)
	}
	// At a time the key was valid, it verifies.
	k.now = func() time.Time { return past.Add(30 * time.Minute) }
	if _, _, err := k.VerifyClearsigned(out.Bytes()); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyDetached(t *testing.T) {
	good := testKey(t, "Good", false, time.Time{}, 0)
	second := testKey(t, "Second", false, time.Time{}, 0)
	other := testKey(t, "Other", false, time.Time{}, 0)
	k := keyringOf(t, good, second)
	data := []byte("Origin: Test\nSuite: stable\n")
	sig := detached(t, good, data)
	var armored bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&armored, good, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name, errText string // errText "" for success
		data, sig     []byte
	}{
		{"binary", "", data, sig},
		{"armored", "", data, armored.Bytes()},
		{"unknown then good", "", data, cat(detached(t, other, data), sig)},
		{"good then bad", "bad signature by key", data, cat(sig, detached(t, second, []byte("other")))},
		{"bad then good", "bad signature by key", data, cat(detached(t, second, []byte("other")), sig)},
		{"unknown only", "not in the keyring", data, detached(t, other, data)},
		{"modified", "bad signature", []byte("Origin: Evil\nSuite: stable\n"), sig},
		{"truncated", "signature packet 1", data, sig[:len(sig)-5]},
		{"empty sig", "no signature packet", data, nil},
		{"garbage sig", "signature packet 1", data, []byte("\x88\x01\x02garbage")},
		{"key as sig", "not a signature", data, publicKeys(t, false, good)},
		{"armored key as sig", "is not", data, publicKeys(t, true, good)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			signer, err := k.VerifyDetached(tc.data, tc.sig)
			if tc.errText == "" {
				if err != nil || !strings.Contains(signer, "good@example.org") {
					t.Fatalf("signer %q, err %v", signer, err)
				}
				return
			}
			if !errors.Is(err, ErrSignature) || !strings.Contains(err.Error(), tc.errText) {
				t.Fatalf("err = %v, want ErrSignature with %q", err, tc.errText)
			}
		})
	}
}

func TestReadKeyring(t *testing.T) {
	a := testKey(t, "A", false, time.Time{}, 0)
	b := testKey(t, "B", false, time.Time{}, 0)
	tests := []struct {
		name string
		data []byte
		n    int // 0 for an error
	}{
		{"binary one", publicKeys(t, false, a), 1},
		{"binary two", publicKeys(t, false, a, b), 2},
		{"binary duplicate", publicKeys(t, false, a, a), 1},
		{"armored one", publicKeys(t, true, a), 1},
		{"armored two blocks", publicKeys(t, true, a, b), 2},
		{"armored with text", append([]byte("# comment\n\n"), bytes.ReplaceAll(publicKeys(t, true, a, b), []byte("-----\n\n-----BEGIN"), []byte("-----\ntext between\n-----BEGIN"))...), 2},
		{"empty", nil, 0},
		{"blank", []byte(" \n\t\n"), 0},
		{"garbage", []byte("this is not a key"), 0},
		{"binary garbage", []byte{0x99, 0x01, 0x0d, 0x04, 1, 2, 3}, 0},
		{"armored garbage", []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n"), 0},
		{"armored signature", []byte("-----BEGIN PGP SIGNATURE-----\n\nAAAA\n=AAAA\n-----END PGP SIGNATURE-----\n"), 0},
		{"truncated armor", publicKeys(t, true, a)[:100], 0},
		{"truncated binary", publicKeys(t, false, a)[:40], 0},
		{"too large", make([]byte, MaxKeyringSize+1), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ReadKeyring(tc.data)
			if tc.n == 0 {
				if err == nil {
					t.Fatalf("no error, %d keys", k.Len())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.Len() != tc.n {
				t.Errorf("Len = %d, want %d", k.Len(), tc.n)
			}
		})
	}
}

func TestLoadKeyringAdd(t *testing.T) {
	a := testKey(t, "A", false, time.Time{}, 0)
	b := testKey(t, "B", false, time.Time{}, 0)
	dir := t.TempDir()
	pa, pb, bad := filepath.Join(dir, "a.gpg"), filepath.Join(dir, "b.asc"), filepath.Join(dir, "bad.asc")
	os.WriteFile(pa, publicKeys(t, false, a), 0o644)
	os.WriteFile(pb, publicKeys(t, true, b, a), 0o644)
	os.WriteFile(bad, []byte("nothing"), 0o644)
	k, err := LoadKeyring(pa, pb)
	if err != nil {
		t.Fatal(err)
	}
	if k.Len() != 2 || len(k.Fingerprints()) != 2 {
		t.Fatalf("Len = %d, want 2", k.Len())
	}
	for _, p := range []string{bad, filepath.Join(dir, "missing.gpg")} {
		if _, err := LoadKeyring(pa, p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("LoadKeyring(%s): err = %v, want one naming the file", p, err)
		}
	}
	ka, kb := keyringOf(t, a), keyringOf(t, b)
	ka.Add(kb)
	ka.Add(kb)
	ka.Add(nil)
	if ka.Len() != 2 {
		t.Errorf("Len after Add = %d, want 2", ka.Len())
	}
	if _, _, err := ka.VerifyClearsigned(clearsigned(t, releaseText, b)); err != nil {
		t.Errorf("key added by Add: %v", err)
	}
}

func TestClearsignedText(t *testing.T) {
	a := testKey(t, "A", false, time.Time{}, 0)
	text, err := ClearsignedText(clearsigned(t, releaseText, a))
	if err != nil || string(text) != releaseText {
		t.Fatalf("text %q, err %v", text, err)
	}
	if _, err := ClearsignedText([]byte(releaseText)); !errors.Is(err, ErrSignature) {
		t.Fatalf("plain text: err = %v", err)
	}
}

// TestRealDebianKeyrings reads the host's Debian archive keyrings, when
// present, and checks with them the InRelease file that
// BTFHUB_TEST_INRELEASE names, when set (a real one, fetched from a
// mirror by hand).
func TestRealDebianKeyrings(t *testing.T) {
	paths, _ := filepath.Glob("/usr/share/keyrings/debian-archive-*.gpg")
	asc, _ := filepath.Glob("/etc/apt/trusted.gpg.d/*.asc")
	paths = append(paths, asc...)
	if len(paths) == 0 {
		t.Skip("no Debian archive keyrings on this host")
	}
	k, err := LoadKeyring(paths...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d keys from %d files", k.Len(), len(paths))
	for _, name := range strings.Fields(os.Getenv("BTFHUB_TEST_INRELEASE")) {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		_, signer, err := k.VerifyClearsigned(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Logf("%s: signed by %s", name, signer)
	}
}

func FuzzReadKeyring(f *testing.F) {
	a := testKey(f, "A", false, time.Time{}, 0)
	f.Add(publicKeys(f, false, a))
	f.Add(publicKeys(f, true, a))
	f.Add([]byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBF\n-----END PGP PUBLIC KEY BLOCK-----\n"))
	f.Add([]byte{0x99, 0x00, 0x04})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		k, err := ReadKeyring(data)
		if err == nil && k.Len() == 0 {
			t.Fatal("no error and no keys")
		}
		if err == nil {
			k.VerifyDetached(data, data)
			k.VerifyClearsigned(data)
		}
	})
}

func ExampleKeyring_VerifyClearsigned() {
	// An archive key; a real keyring comes from LoadKeyring, as
	// LoadKeyring("/usr/share/keyrings/debian-archive-keyring.gpg").
	key, err := openpgp.NewEntity("Archive", "", "archive@example.org", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		fmt.Println(err)
		return
	}
	var pub bytes.Buffer
	key.Serialize(&pub)
	keyring, err := ReadKeyring(pub.Bytes())
	if err != nil {
		fmt.Println(err)
		return
	}

	// An InRelease file, clearsigned by the archive key.
	var inRelease bytes.Buffer
	w, _ := clearsign.Encode(&inRelease, key.PrivateKey, nil)
	w.Write([]byte("Origin: Debian\nSuite: stable\n"))
	w.Close()

	text, signer, err := keyring.VerifyClearsigned(inRelease.Bytes())
	fmt.Printf("%q %v %v\n", text, strings.HasSuffix(signer, " Archive <archive@example.org>"), err)

	tampered := bytes.Replace(inRelease.Bytes(), []byte("stable"), []byte("sTable"), 1)
	_, _, err = keyring.VerifyClearsigned(tampered)
	fmt.Println(errors.Is(err, ErrSignature))
	// Output:
	// "Origin: Debian\nSuite: stable\n" true <nil>
	// true
}
