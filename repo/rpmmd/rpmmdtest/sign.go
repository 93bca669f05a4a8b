package rpmmdtest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// NewSigner makes an Ed25519 OpenPGP key for name and returns it with
// its public key, armored, as repo.ReadKeyring reads it.
func NewSigner(t testing.TB, name string) (signer *openpgp.Entity, publicKey []byte) {
	t.Helper()
	e, err := openpgp.NewEntity(name, "btfhub test key", "test@example.invalid",
		&packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return e, buf.Bytes()
}

// SignRepo writes dir/repodata/repomd.xml.asc, the armored detached
// signature by signer of dir/repodata/repomd.xml.
func SignRepo(t testing.TB, dir string, signer *openpgp.Entity) {
	t.Helper()
	md, err := os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, signer, bytes.NewReader(md), nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "repodata", "repomd.xml.asc"), sig.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
