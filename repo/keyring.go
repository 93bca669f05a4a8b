package repo

import (
	"bytes"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Bounds on the keys and signatures a Keyring reads.
const (
	// MaxKeyringSize bounds a keyring file or buffer, in bytes.
	MaxKeyringSize = 16 << 20
	// maxSignatures bounds the signature packets of one signature.
	maxSignatures = 64
	// maxSignatureSize bounds a signature block, in bytes.
	maxSignatureSize = 1 << 20
)

// Keyring is a set of OpenPGP public keys that repository metadata must be
// signed by. Its zero value is an empty keyring, which verifies nothing.
type Keyring struct {
	entities openpgp.EntityList
	// now is the clock that key expiry is checked against; nil is
	// time.Now.
	now func() time.Time
}

// ReadKeyring reads the keys of data: a binary keyring (as the files of
// /usr/share/keyrings/*.gpg are) or one or more ASCII-armored public key
// blocks (.asc), with any text around them ignored (data is binary when
// its first byte that is not blank space is an OpenPGP packet tag, with
// its high bit set). Keys whose algorithm
// go-crypto does not support are passed over; data without any usable key
// is an error.
func ReadKeyring(data []byte) (*Keyring, error) {
	if len(data) > MaxKeyringSize {
		return nil, fmt.Errorf("keyring of %d bytes is larger than the limit of %d", len(data), MaxKeyringSize)
	}
	k := &Keyring{}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0]&0x80 == 0 {
		// Not an OpenPGP packet tag: ASCII armor, perhaps with text
		// around the blocks.
		blocks := splitArmored(data)
		if len(blocks) == 0 {
			return nil, errors.New("neither a binary keyring nor an armored key block")
		}
		for i, block := range blocks {
			el, err := readArmoredKeys(block)
			if err != nil {
				return nil, fmt.Errorf("armored block %d: %w", i+1, err)
			}
			k.add(el)
		}
	} else if len(trimmed) > 0 {
		el, err := openpgp.ReadKeyRing(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("binary keyring: %w", err)
		}
		k.add(el)
	}
	if k.Len() == 0 {
		return nil, errors.New("no usable OpenPGP public key")
	}
	return k, nil
}

// LoadKeyring reads the keyring files paths, as ReadKeyring does, into
// one keyring. Each file must be at most MaxKeyringSize bytes; errors name
// the file.
func LoadKeyring(paths ...string) (*Keyring, error) {
	k := &Keyring{}
	for _, p := range paths {
		data, err := readBounded(p, MaxKeyringSize)
		if err != nil {
			return nil, err
		}
		one, err := ReadKeyring(data)
		if err != nil {
			return nil, fmt.Errorf("keyring %s: %w", p, err)
		}
		k.Add(one)
	}
	return k, nil
}

// readBounded reads the file name, which must be at most max bytes.
func readBounded(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("keyring %s is larger than the limit of %d bytes", name, max)
	}
	return data, nil
}

// splitArmored cuts data into the armored blocks it holds, each from its
// BEGIN line to the end of its END line.
func splitArmored(data []byte) [][]byte {
	begin, end := []byte("-----BEGIN "), []byte("-----END ")
	var blocks [][]byte
	for {
		i := bytes.Index(data, begin)
		if i < 0 {
			return blocks
		}
		data = data[i:]
		j := bytes.Index(data, end)
		if j < 0 {
			return append(blocks, data) // armor.Decode reports it
		}
		stop := len(data)
		if nl := bytes.IndexByte(data[j:], '\n'); nl >= 0 {
			stop = j + nl + 1
		}
		blocks = append(blocks, data[:stop])
		data = data[stop:]
	}
}

// readArmoredKeys reads the keys of one armored public key block.
func readArmoredKeys(block []byte) (openpgp.EntityList, error) {
	b, err := armor.Decode(bytes.NewReader(block))
	if err != nil {
		return nil, fmt.Errorf("armor: %w", err)
	}
	if b.Type != openpgp.PublicKeyType {
		return nil, fmt.Errorf("armor type %q is not %q", b.Type, openpgp.PublicKeyType)
	}
	body, err := io.ReadAll(io.LimitReader(b.Body, MaxKeyringSize+1))
	if err != nil {
		return nil, fmt.Errorf("armor: %w", err)
	}
	if len(body) > MaxKeyringSize {
		return nil, fmt.Errorf("armored keys are larger than the limit of %d bytes", MaxKeyringSize)
	}
	return openpgp.ReadKeyRing(bytes.NewReader(body))
}

// add appends the entities of el that k does not hold yet.
func (k *Keyring) add(el openpgp.EntityList) {
	for _, e := range el {
		if e == nil || e.PrimaryKey == nil || k.has(e.PrimaryKey.Fingerprint) {
			continue
		}
		k.entities = append(k.entities, e)
	}
}

// has tells whether k holds the key with primary fingerprint fpr.
func (k *Keyring) has(fpr []byte) bool {
	for _, e := range k.entities {
		if bytes.Equal(e.PrimaryKey.Fingerprint, fpr) {
			return true
		}
	}
	return false
}

// Add adds the keys of other that k does not hold yet, keyed by their
// primary key's fingerprint.
func (k *Keyring) Add(other *Keyring) {
	if other != nil {
		k.add(other.entities)
	}
}

// Len is the number of keys (primary keys, with their subkeys) of k.
func (k *Keyring) Len() int {
	if k == nil {
		return 0
	}
	return len(k.entities)
}

// Fingerprints are the upper-case hex fingerprints of k's primary keys,
// sorted.
func (k *Keyring) Fingerprints() []string {
	if k == nil {
		return nil
	}
	out := make([]string, 0, len(k.entities))
	for _, e := range k.entities {
		out = append(out, fmt.Sprintf("%X", e.PrimaryKey.Fingerprint))
	}
	sort.Strings(out)
	return out
}

// ClearsignedText returns the signed text of a clearsigned message
// without checking its signature: the lines between the armor headers
// and the signature, with the dash-escaping undone, trailing blanks
// removed, joined by "\n" (the line end before the signature belongs to
// the armor, so text that ended in a newline when it was signed comes
// back as it was). The message must be the whole of data, but for blank
// space around it.
func ClearsignedText(data []byte) ([]byte, error) {
	b, err := decodeClearsigned(data)
	if err != nil {
		return nil, err
	}
	return b.Plaintext, nil
}

// decodeClearsigned decodes data, which must be one clearsigned message
// and nothing else but blank space.
func decodeClearsigned(data []byte) (*clearsign.Block, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if !bytes.HasPrefix(trimmed, []byte("-----BEGIN PGP SIGNED MESSAGE-----")) {
		return nil, fmt.Errorf("%w: not a clearsigned message (no BEGIN PGP SIGNED MESSAGE line at the start)", ErrSignature)
	}
	b, rest := clearsign.Decode(trimmed)
	if b == nil {
		return nil, fmt.Errorf("%w: malformed clearsigned message", ErrSignature)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("%w: %d bytes follow the clearsigned message", ErrSignature, len(rest))
	}
	return b, nil
}

// VerifyClearsigned checks data, an InRelease-style clearsigned message,
// and returns its signed text (as ClearsignedText does) and a
// description of the key that signed it ("FINGERPRINT uid").
//
// The message may carry several signatures, by several keys: it is good
// when at least one is a valid signature by a key of k that is neither
// expired nor revoked; signatures by keys k does not hold, or with an
// algorithm that is not supported, are passed over. A signature by a key
// of k that does not match the text is an error, whatever the other
// signatures. Errors wrap ErrSignature.
func (k *Keyring) VerifyClearsigned(data []byte) (signed []byte, signer string, err error) {
	b, err := decodeClearsigned(data)
	if err != nil {
		return nil, "", err
	}
	sig, err := io.ReadAll(io.LimitReader(b.ArmoredSignature.Body, maxSignatureSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("%w: signature armor: %w", ErrSignature, err)
	}
	signer, err = k.verify(b.Bytes, sig)
	if err != nil {
		return nil, "", err
	}
	return b.Plaintext, signer, nil
}

// VerifyDetached checks sig, a detached signature of data, armored or
// binary (Release and Release.gpg, repomd.xml and repomd.xml.asc), as
// VerifyClearsigned checks its signatures, and returns a description of
// the key that made the good one. Errors wrap ErrSignature.
func (k *Keyring) VerifyDetached(data, sig []byte) (signer string, err error) {
	if bytes.HasPrefix(bytes.TrimLeft(sig, " \t\r\n"), []byte("-----BEGIN ")) {
		b, err := armor.Decode(bytes.NewReader(sig))
		if err != nil {
			return "", fmt.Errorf("%w: signature armor: %w", ErrSignature, err)
		}
		if b.Type != openpgp.SignatureType {
			return "", fmt.Errorf("%w: armor type %q is not %q", ErrSignature, b.Type, openpgp.SignatureType)
		}
		if sig, err = io.ReadAll(io.LimitReader(b.Body, maxSignatureSize+1)); err != nil {
			return "", fmt.Errorf("%w: signature armor: %w", ErrSignature, err)
		}
	}
	return k.verify(data, sig)
}

// verify checks the binary signature packets sig against data.
func (k *Keyring) verify(data, sig []byte) (string, error) {
	if k.Len() == 0 {
		return "", fmt.Errorf("%w: the keyring is empty", ErrSignature)
	}
	if len(sig) > maxSignatureSize {
		return "", fmt.Errorf("%w: signature of %d bytes is larger than the limit of %d", ErrSignature, len(sig), maxSignatureSize)
	}
	now := time.Now()
	if k.now != nil {
		now = k.now()
	}
	var good string
	var passed []string // why the other signatures did not count
	packets := packet.NewReader(bytes.NewReader(sig))
	for n := 1; ; n++ {
		p, err := packets.Next()
		if err == io.EOF {
			if n == 1 {
				return "", fmt.Errorf("%w: no signature packet", ErrSignature)
			}
			break
		}
		if err != nil {
			return "", fmt.Errorf("%w: signature packet %d: %w", ErrSignature, n, err)
		}
		if n > maxSignatures {
			return "", fmt.Errorf("%w: more than %d signature packets", ErrSignature, maxSignatures)
		}
		s, ok := p.(*packet.Signature)
		if !ok {
			return "", fmt.Errorf("%w: packet %d is a %T, not a signature", ErrSignature, n, p)
		}
		who, why, err := k.check(s, data, now)
		if err != nil {
			return "", fmt.Errorf("%w: signature %d: %w", ErrSignature, n, err)
		}
		if why != "" {
			passed = append(passed, why)
		} else if good == "" {
			good = who
		}
	}
	if good == "" {
		return "", fmt.Errorf("%w: no valid signature by a key of the keyring (%s)", ErrSignature, strings.Join(passed, "; "))
	}
	return good, nil
}

// check checks one signature packet of data. It returns the signer when
// the signature is good; why, when it does not count (unknown key,
// unsupported algorithm, expired or revoked key); err, when it is made by
// a key of k but does not match data.
func (k *Keyring) check(s *packet.Signature, data []byte, now time.Time) (who, why string, err error) {
	id, ok := issuerKeyID(s)
	if !ok {
		return "", "signature without issuer", nil
	}
	keys := k.entities.KeysByIdUsage(id, packet.KeyFlagSign)
	if len(keys) == 0 {
		return "", fmt.Sprintf("key %016X not in the keyring (as a signing key)", id), nil
	}
	if s.SigType != packet.SigTypeBinary && s.SigType != packet.SigTypeText {
		return "", "", fmt.Errorf("key %016X: signature type %#x is not a document signature", id, s.SigType)
	}
	var verr error
	for _, key := range keys {
		h, err := s.PrepareVerify()
		if err != nil {
			return "", fmt.Sprintf("key %016X: %v", id, err), nil
		}
		var w hash.Hash = h
		if s.SigType == packet.SigTypeText {
			w = openpgp.NewCanonicalTextHash(h)
		}
		w.Write(data)
		if verr = key.PublicKey.VerifySignature(h, s); verr != nil {
			continue
		}
		if why := keyInvalid(key, s, now); why != "" {
			return "", fmt.Sprintf("%s: %s", describe(key.Entity), why), nil
		}
		return describe(key.Entity), "", nil
	}
	return "", "", fmt.Errorf("bad signature by key %016X: %w", id, verr)
}

// issuerKeyID is the key ID of the key that made s, from its issuer key
// ID or its issuer fingerprint.
func issuerKeyID(s *packet.Signature) (uint64, bool) {
	if s.IssuerKeyId != nil {
		return *s.IssuerKeyId, true
	}
	fp := s.IssuerFingerprint
	var b []byte
	switch len(fp) {
	case 20: // v4: the low 64 bits
		b = fp[12:]
	case 32: // v5, v6: the high 64 bits
		b = fp[:8]
	default:
		return 0, false
	}
	var id uint64
	for _, c := range b {
		id = id<<8 | uint64(c)
	}
	return id, true
}

// keyInvalid says why key cannot make valid signatures at now, or "".
func keyInvalid(key openpgp.Key, s *packet.Signature, now time.Time) string {
	e := key.Entity
	primarySig, _ := e.PrimarySelfSignature()
	subkey := key.PublicKey != e.PrimaryKey
	switch {
	case e.Revoked(now) || (subkey && key.Revoked(now)):
		return "key revoked"
	case primarySig == nil:
		return "key without self-signature"
	case e.PrimaryKey.KeyExpired(primarySig, now):
		return "key expired"
	case subkey && (key.SelfSignature == nil || key.PublicKey.KeyExpired(key.SelfSignature, now)):
		return "signing subkey expired"
	case s.SigExpired(now):
		return "signature expired or made in the future"
	}
	return ""
}

// describe names entity e as "FINGERPRINT uid": the upper-case hex
// fingerprint of its primary key and its primary user ID (the first by
// name when none is marked primary).
func describe(e *openpgp.Entity) string {
	fpr := fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)
	var names, primary []string
	for name, id := range e.Identities {
		if id.SelfSignature != nil && id.SelfSignature.IsPrimaryId != nil && *id.SelfSignature.IsPrimaryId {
			primary = append(primary, name)
		}
		names = append(names, name)
	}
	if len(primary) > 0 {
		names = primary
	}
	if len(names) == 0 {
		return fpr
	}
	sort.Strings(names)
	return fpr + " " + names[0]
}
