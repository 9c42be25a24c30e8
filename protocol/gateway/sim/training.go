package sim

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"paydesk/internal/atomicfile"
	"paydesk/protocol/ipriv"
)

// The training key identities (the network's test serials, spec §11), with
// keys generated locally: the secret half of the real test bank key is not
// public.
const (
	TrainingDealerSerial uint32 = 17033
	TrainingDealerUserID        = "api17032"
	TrainingBankSerial   uint32 = 64182
	TrainingBankUserID          = "0J0005"
	TrainingKeyBits             = 1024
)

// The files of a training key set, inside its folder.
const (
	FileSecretKey      = "secret.key"      // the dealer's secret key, under FilePassphrase
	FilePassphrase     = "passphrase"      // the dealer key's passphrase (no final line end)
	FileDealerKey      = "dealer.key"      // the dealer's public key, self-certified: register it with the simulator
	FileBankKey        = "bank_secret.key" // the bank's secret key, under FileBankPassphrase
	FileBankPassphrase = "bank_passphrase" // the bank key's passphrase
	FilePubKeys        = "pubkeys.key"     // the dealer key and the bank public key certified by it, as the network's test pubkeys.key
)

// Training is a training key set: what the simulator needs (DealerKeys,
// Bank) and what a client configured for training needs (SecretKeyFile,
// PassphraseFile, PubKeysFile, BankSerial, the point codes).
type Training struct {
	Dir        string
	SD, AP, OP string
	Dealer     *ipriv.SecretKey // serial 17033, userid api17032
	Bank       *ipriv.SecretKey // serial 64182, userid 0J0005
	BankSerial uint32
	// DealerKeys holds the dealer's public key, for Config.DealerKeys.
	DealerKeys *ipriv.Keyring
	// PubKeys is the content of pubkeys.key: the dealer key and the bank key.
	PubKeys *ipriv.Keyring
	// Paths of the files.
	SecretKeyFile, PassphraseFile, DealerKeyFile, BankKeyFile, BankPassphraseFile, PubKeysFile string
	// Created tells whether this call generated the set (false: reused).
	Created bool
}

// Config returns a simulator configuration with the set's keys and point
// codes; the caller adds the catalogue and the rest.
func (t *Training) Config() Config {
	return Config{DealerKeys: t.DealerKeys, BankKey: t.Bank, SD: t.SD, AP: t.AP, OP: t.OP}
}

// TrainingKeys returns the training key set in dir, generating it (1024-bit
// keys created at now, random passphrases) when dir does not hold a complete
// one. An existing complete set is reused as it is; one that is present but
// unreadable is an error rather than overwritten.
func TrainingKeys(dir string, now time.Time) (*Training, error) {
	const op = "training keys"
	t := &Training{Dir: dir, SD: TrainingSD, AP: TrainingAP, OP: TrainingOP, BankSerial: TrainingBankSerial,
		SecretKeyFile: filepath.Join(dir, FileSecretKey), PassphraseFile: filepath.Join(dir, FilePassphrase),
		DealerKeyFile: filepath.Join(dir, FileDealerKey), BankKeyFile: filepath.Join(dir, FileBankKey),
		BankPassphraseFile: filepath.Join(dir, FileBankPassphrase), PubKeysFile: filepath.Join(dir, FilePubKeys)}
	complete := true
	for _, p := range []string{t.SecretKeyFile, t.PassphraseFile, t.DealerKeyFile, t.BankKeyFile, t.BankPassphraseFile, t.PubKeysFile} {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			complete = false
		} else if err != nil {
			return nil, &Error{Op: op, Kind: KindKeys, Err: err}
		}
	}
	if complete {
		if err := t.load(); err != nil {
			return nil, &Error{Op: op, Kind: KindKeys, Err: fmt.Errorf("%s: %w", dir, err)}
		}
		return t, nil
	}
	if err := t.generate(now); err != nil {
		return nil, &Error{Op: op, Kind: KindKeys, Err: err}
	}
	t.Created = true
	return t, nil
}

func (t *Training) load() error {
	open := func(keyFile, passFile string) (*ipriv.SecretKey, error) {
		pass, err := os.ReadFile(passFile)
		if err != nil {
			return nil, err
		}
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, err
		}
		return ipriv.ParseSecretKey(b, pass)
	}
	var err error
	if t.Dealer, err = open(t.SecretKeyFile, t.PassphraseFile); err != nil {
		return err
	}
	if t.Bank, err = open(t.BankKeyFile, t.BankPassphraseFile); err != nil {
		return err
	}
	ring := func(file string) (*ipriv.Keyring, error) {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		return ipriv.ParseKeyring(b)
	}
	if t.DealerKeys, err = ring(t.DealerKeyFile); err != nil {
		return err
	}
	if t.PubKeys, err = ring(t.PubKeysFile); err != nil {
		return err
	}
	if k, err := t.DealerKeys.Find(t.Dealer.Serial); err != nil || k.N.Cmp(t.Dealer.N) != 0 {
		return fmt.Errorf("%s does not hold the public half of %s", t.DealerKeyFile, t.SecretKeyFile)
	}
	if k, err := t.PubKeys.Find(t.Bank.Serial); err != nil || k.N.Cmp(t.Bank.N) != 0 {
		return fmt.Errorf("%s does not hold the public half of %s", t.PubKeysFile, t.BankKeyFile)
	}
	t.BankSerial = t.Bank.Serial
	return nil
}

// generate makes a new training key set at now: the dealer's and the
// bank's keys, their files in t.Dir and the keyrings they hold.
func (t *Training) generate(now time.Time) error {
	var err error
	if t.Dealer, err = ipriv.GenerateKey(nil, TrainingKeyBits, TrainingDealerSerial, TrainingDealerUserID, now); err != nil {
		return err
	}
	if t.Bank, err = ipriv.GenerateKey(nil, TrainingKeyBits, TrainingBankSerial, TrainingBankUserID, now); err != nil {
		return err
	}
	files, err := t.encode(now)
	if err != nil {
		return err
	}
	if err := t.writeFiles(files); err != nil {
		return err
	}
	if t.DealerKeys, err = ipriv.ParseKeyring(files.dealerPub); err != nil {
		return err
	}
	if t.PubKeys, err = ipriv.ParseKeyring(files.pubkeys); err != nil {
		return err
	}
	return nil
}

// keySetFiles are the contents of a training key set's files.
type keySetFiles struct {
	dealerPass, dealerSec []byte // FilePassphrase, FileSecretKey
	bankPass, bankSec     []byte // FileBankPassphrase, FileBankKey
	dealerPub             []byte // FileDealerKey
	pubkeys               []byte // FilePubKeys: the dealer's and the bank's public keys
}

// encode returns the files of t.Dealer and t.Bank: each secret key under a
// new random passphrase, each public key certified by the dealer at now.
func (t *Training) encode(now time.Time) (*keySetFiles, error) {
	var f keySetFiles
	var err error
	if f.dealerPass, err = newPassphrase(); err != nil {
		return nil, err
	}
	if f.bankPass, err = newPassphrase(); err != nil {
		return nil, err
	}
	if f.dealerSec, err = t.Dealer.Marshal(f.dealerPass, nil); err != nil {
		return nil, err
	}
	if f.bankSec, err = t.Bank.Marshal(f.bankPass, nil); err != nil {
		return nil, err
	}
	if f.dealerPub, err = t.Dealer.Public().MarshalCertified(t.Dealer, now); err != nil {
		return nil, err
	}
	bankPub, err := t.Bank.Public().MarshalCertified(t.Dealer, now)
	if err != nil {
		return nil, err
	}
	f.pubkeys = append(append([]byte{}, f.dealerPub...), bankPub...)
	return &f, nil
}

// newPassphrase returns a passphrase of 10 random bytes in hexadecimal.
func newPassphrase() ([]byte, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return []byte(hex.EncodeToString(b)), nil
}

// writeFiles writes the key set's files into t.Dir, each atomically, the
// secret ones readable by the owner only. FilePubKeys comes last: its
// presence completes the set.
func (t *Training) writeFiles(f *keySetFiles) error {
	if err := os.MkdirAll(t.Dir, 0o700); err != nil {
		return err
	}
	for _, file := range []struct {
		path string
		data []byte
		perm os.FileMode
	}{
		{t.PassphraseFile, f.dealerPass, 0o600},
		{t.SecretKeyFile, f.dealerSec, 0o600},
		{t.BankPassphraseFile, f.bankPass, 0o600},
		{t.BankKeyFile, f.bankSec, 0o600},
		{t.DealerKeyFile, f.dealerPub, 0o644},
		{t.PubKeysFile, f.pubkeys, 0o644}, // last: its presence completes the set
	} {
		if err := atomicfile.Write(file.path, file.data, file.perm); err != nil {
			return err
		}
	}
	return nil
}
