package ipriv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"paydesk/internal/atomicfile"
)

// The files of a key pair, as the vendor's key generator names them in its
// output folder.
const (
	SecretKeyFile = "secret.key"  // the secret key (NM), mode 0600
	PublicKeyFile = "pubkeys.key" // the self-certified public key (NS), to send for registration
)

// KeyPairSpec is the key pair WriteKeyPair makes and where it goes.
type KeyPairSpec struct {
	Dir        string    // folder for SecretKeyFile and PublicKeyFile, made (0700) when missing
	Bits       int       // modulus size, 1024 or 2048
	Serial     uint32    // key serial the network assigned
	UserID     string    // such as "api17032"
	Passphrase []byte    // encrypts the secret key; empty stores it in clear
	Created    time.Time // creation time, also the time of the self-certification
	// Overwrite replaces key files already in Dir. Without it a file there
	// is an error (fs.ErrExist) and nothing is written: a new key would
	// replace the one the network has registered.
	Overwrite bool
	Rand      io.Reader // nil: crypto/rand
}

// KeyPair is a key pair WriteKeyPair wrote.
type KeyPair struct {
	Key        *SecretKey
	SecretFile string // Dir/secret.key
	PublicFile string // Dir/pubkeys.key
	Public     []byte // PublicFile's content
}

// exportSecret is SecretKey.Marshal; the tests of the check replace it.
var exportSecret = (*SecretKey).Marshal

// CheckKeyPairFree returns the error WriteKeyPair would give without
// Overwrite when dir already holds a key file: an *fs.PathError naming the
// file, with fs.ErrExist. Callers use it to refuse before asking for a
// passphrase.
func CheckKeyPairFree(dir string) error {
	for _, name := range []string{SecretKeyFile, PublicKeyFile} {
		p := filepath.Join(dir, name)
		if _, err := os.Lstat(p); err == nil {
			return &fs.PathError{Op: "write key pair", Path: p, Err: fs.ErrExist}
		}
	}
	return nil
}

// WriteKeyPair generates a key pair (GenerateKey), checks what is to be
// written, and writes Dir/secret.key (mode 0600) and Dir/pubkeys.key (mode
// 0644), each atomically: a crash leaves the old file or the new one.
//
// The check reads the exported secret key back with the passphrase and the
// public key file back as a keyring, and requires the same key in both, a
// self-certification that verifies, and a document signed with the key read
// back that verifies with the public key read back. A pair that fails is an
// *Error and no file is written.
//
// Without Overwrite an existing key file is an *fs.PathError with
// fs.ErrExist (see CheckKeyPairFree), checked again as each file is put in
// place, so a key file that appears meanwhile is not replaced either; when
// the public key cannot be written the new secret key is removed again.
func WriteKeyPair(spec KeyPairSpec) (*KeyPair, error) {
	if !spec.Overwrite {
		if err := CheckKeyPairFree(spec.Dir); err != nil {
			return nil, err
		}
	}
	key, err := GenerateKey(spec.Rand, spec.Bits, spec.Serial, spec.UserID, spec.Created)
	if err != nil {
		return nil, err
	}
	sec, err := exportSecret(key, spec.Passphrase, spec.Rand)
	if err != nil {
		return nil, err
	}
	pub, err := key.Public().MarshalCertified(key, spec.Created)
	if err != nil {
		return nil, err
	}
	if err := checkKeyPair(key, sec, pub, spec.Passphrase, spec.Created); err != nil {
		return nil, err
	}
	kp := &KeyPair{Key: key, SecretFile: filepath.Join(spec.Dir, SecretKeyFile), PublicFile: filepath.Join(spec.Dir, PublicKeyFile), Public: pub}
	if err := os.MkdirAll(spec.Dir, 0o700); err != nil {
		return nil, err
	}
	if spec.Overwrite {
		if err := atomicfile.Write(kp.SecretFile, sec, 0o600); err != nil {
			return nil, err
		}
		if err := atomicfile.Write(kp.PublicFile, pub, 0o644); err != nil {
			return nil, err
		}
		return kp, nil
	}
	if err := writeNew(kp.SecretFile, sec, 0o600); err != nil {
		return nil, err
	}
	if err := writeNew(kp.PublicFile, pub, 0o644); err != nil {
		_ = os.Remove(kp.SecretFile)
		return nil, err
	}
	return kp, nil
}

// checkKeyPair checks the files' contents of key before they are written.
func checkKeyPair(key *SecretKey, sec, pub, passphrase []byte, t time.Time) error {
	const op = "check new key"
	back, err := ParseSecretKey(sec, passphrase)
	if err != nil {
		return withOp(op, ErrGenKey, err)
	}
	ring, err := ParseKeyring(pub)
	if err != nil {
		return withOp(op, ErrGenKey, err)
	}
	pk, err := ring.Find(key.Serial)
	if err != nil {
		return withOp(op, ErrGenKey, err)
	}
	if len(ring.Keys) != 1 || back.UserID != key.UserID || pk.UserID != key.UserID ||
		back.N.Cmp(key.N) != 0 || pk.N.Cmp(key.N) != 0 || back.E != key.E || pk.E != key.E {
		return errorf(op, ErrGenKey, "the files do not hold the key generated")
	}
	if err := ring.CheckCertification(pk); err != nil {
		return withOp(op, ErrGenKey, err)
	}
	msg := []byte("PayDesk key pair check\r\n")
	doc, err := back.Sign(msg, MD5, t)
	if err != nil {
		return withOp(op, ErrGenKey, err)
	}
	d, _, err := pk.Verify(doc)
	if err != nil {
		return withOp(op, ErrGenKey, err)
	}
	if !bytes.Equal(d.Body, msg) {
		return errorf(op, ErrGenKey, "the signed check message came back changed")
	}
	return nil
}

// writeNew writes path as atomicfile.Write does, but never over an existing
// file: the synced temporary file is linked to path, which fails when path
// exists. Where links are not supported it is renamed, after a last look.
func writeNew(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		_ = os.Remove(tmp)
	}()
	if err = f.Chmod(perm); err == nil {
		if _, err = f.Write(data); err == nil {
			err = f.Sync()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	exists := &fs.PathError{Op: "write key pair", Path: path, Err: fs.ErrExist}
	if err = os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return exists
		}
		if _, serr := os.Lstat(path); serr == nil {
			return exists
		}
		if err = os.Rename(tmp, path); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
