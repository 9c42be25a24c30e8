package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"paydesk/internal/atomicfile"
	"paydesk/protocol/ipriv"
)

func init() {
	register(&command{
		name:    "keys gen",
		args:    "--serial N --user ID [--bits 1024|2048] --out DIR [--passphrase-file F] [--card FILE] [--force]",
		summary: "generate the point's key pair: DIR/secret.key and DIR/pubkeys.key (self-certified)",
		run:     keysGen,
	})
	register(&command{
		name:    "keys show",
		args:    "FILE",
		summary: "list the keys (or signed message) in an IPRIV file and check certifications",
		run:     keysShow,
	})
	register(&command{
		name:    "keys passwd",
		args:    "--key FILE [--passphrase-file OLD] [--new-passphrase-file NEW] --out FILE",
		summary: "re-encrypt a secret key under a new passphrase",
		run:     keysPasswd,
	})
}

// ipErr turns an ipriv error into its plain class and detail, such as
// "verify failed: signature does not match the document".
func ipErr(err error) error {
	var e *ipriv.Error
	if errors.As(err, &e) {
		return errors.New(e.Msg().In("en"))
	}
	return err
}

func keysGen(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "keys gen")
	serial := fs.Uint("serial", 0, "key serial assigned by the network")
	user := fs.String("user", "", "user id, api<AP> (for example api17032)")
	bits := fs.Int("bits", 1024, "modulus size: 1024 or 2048")
	out := fs.String("out", "", "folder for secret.key and pubkeys.key")
	passFile := fs.String("passphrase-file", "", "file holding the passphrase (asked on the terminal when absent)")
	card := fs.String("card", "", "key card file giving the serial and user id")
	force := fs.Bool("force", false, "overwrite existing key files")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("unexpected argument %q", pos[0])
	}
	if *card != "" {
		b, err := os.ReadFile(*card)
		if err != nil {
			return err
		}
		c, err := ipriv.ParseKeyCard(b)
		if err != nil {
			return ipErr(err)
		}
		if *serial == 0 {
			*serial = uint(c.Serial)
		}
		if *user == "" {
			*user = c.UserID
		}
	}
	switch {
	case *serial == 0 || *serial > 0xFFFFFFFF:
		return usageErrorf("--serial must be a key serial from 1 to 4294967295")
	case *user == "":
		return usageErrorf("--user is required (api<AP>)")
	case *out == "":
		return usageErrorf("--out is required")
	case *bits != 1024 && *bits != 2048:
		return usageErrorf("--bits must be 1024 or 2048")
	}
	if !*force {
		// Refuse before the passphrase is asked for.
		if err := ipriv.CheckKeyPairFree(*out); err != nil {
			return keyExists(err)
		}
	}
	pass, err := readPassphrase(e, *passFile, "Passphrase for the new key", true)
	if err != nil {
		return err
	}
	kp, err := ipriv.WriteKeyPair(ipriv.KeyPairSpec{Dir: *out, Bits: *bits, Serial: uint32(*serial), UserID: *user,
		Passphrase: pass, Created: e.now(), Overwrite: *force})
	if err != nil {
		return keyExists(err)
	}
	key, secPath, pubPath := kp.Key, kp.SecretFile, kp.PublicFile
	fmt.Fprintf(e.stdout, "serial: %d\nuser id: %s\nbits: %d\nsecret key: %s\npublic key: %s\n", key.Serial, key.UserID, key.Bits(), secPath, pubPath)
	fmt.Fprintf(e.stdout, "Send %s to the network for registration; keep %s and its passphrase to yourself.\n", pubPath, secPath)
	return nil
}

// keyExists words WriteKeyPair's refusal to replace a key file; other
// errors pass through ipErr.
func keyExists(err error) error {
	var pe *fs.PathError
	if errors.Is(err, fs.ErrExist) && errors.As(err, &pe) {
		return fmt.Errorf("%s exists: a new key would replace the registered one (use --force)", pe.Path)
	}
	return ipErr(err)
}

func keysShow(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "keys show")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("give one file")
	}
	b, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	docs, err := ipriv.ParseAll(b)
	if err != nil {
		return ipErr(err)
	}
	var ring *ipriv.Keyring
	for _, d := range docs {
		if d.Type == ipriv.TypePublic {
			if ring, err = ipriv.ParseKeyring(b); err != nil {
				return ipErr(err)
			}
			break
		}
	}
	nPub := 0
	for i, d := range docs {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		switch d.Type {
		case ipriv.TypePublic:
			k := ring.Keys[nPub]
			nPub++
			showPublic(e.stdout, ring, k)
		case ipriv.TypeSecret:
			pub, encrypted, err := ipriv.PeekSecretKey(docBytes(d))
			if err != nil {
				return ipErr(err)
			}
			fmt.Fprintf(e.stdout, "type: secret key\n")
			showIdentity(e.stdout, pub)
			fmt.Fprintf(e.stdout, "passphrase protected: %s\n", yesNo(encrypted))
		case ipriv.TypeSigned:
			fmt.Fprintf(e.stdout, "type: signed message\nsigner: %s\nserial: %d\nmessage bytes: %d\n", d.UserID, d.Serial, len(d.Body))
			if sig, err := ipriv.ReadSignature(d); err == nil {
				fmt.Fprintf(e.stdout, "signed at: %s\nhash: %s\n", sig.Time.Format(time.RFC3339), sig.Hash)
			} else {
				fmt.Fprintf(e.stdout, "signature: unreadable (%v)\n", ipErr(err))
			}
		default:
			fmt.Fprintf(e.stdout, "type: unknown %q\n", d.Type)
		}
	}
	return nil
}

func docBytes(d *ipriv.Document) []byte { return d.Marshal() }

func showIdentity(w io.Writer, k *ipriv.PublicKey) {
	fmt.Fprintf(w, "serial: %d\nuser id: %s\nbits: %d\nexponent: %d\ncreated: %s\n",
		k.Serial, k.UserID, k.Bits(), k.E, k.Created.Format(time.RFC3339))
}

func showPublic(w io.Writer, ring *ipriv.Keyring, k *ipriv.PublicKey) {
	fmt.Fprintf(w, "type: public key\n")
	showIdentity(w, k)
	if k.Certification == nil {
		fmt.Fprintf(w, "certified by: nobody\n")
		return
	}
	who := k.CertifierID
	if k.SelfCertified() {
		who += ", self"
	}
	fmt.Fprintf(w, "certified by: %d (%s)\n", k.Certification.Serial, strings.TrimSpace(who))
	err := ring.CheckCertification(k)
	switch {
	case err == nil:
		fmt.Fprintf(w, "certification: verifies\n")
	case errors.Is(err, ipriv.ErrKeyNotFound):
		fmt.Fprintf(w, "certification: not checked, certifier key %d is not in the file\n", k.Certification.Serial)
	default:
		fmt.Fprintf(w, "certification: FAILS (%v)\n", ipErr(err))
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func keysPasswd(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "keys passwd")
	keyFile := fs.String("key", "", "secret key file")
	oldFile := fs.String("passphrase-file", "", "file holding the current passphrase")
	newFile := fs.String("new-passphrase-file", "", "file holding the new passphrase (empty file: store in clear)")
	out := fs.String("out", "", "where to write the re-encrypted key (may be the same file)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("unexpected argument %q", pos[0])
	}
	if *keyFile == "" || *out == "" {
		return usageErrorf("--key and --out are required")
	}
	b, err := os.ReadFile(*keyFile)
	if err != nil {
		return err
	}
	old, err := readPassphrase(e, *oldFile, "Current passphrase", false)
	if err != nil {
		return err
	}
	key, err := ipriv.ParseSecretKey(b, old)
	if err != nil {
		return ipErr(err)
	}
	pass, err := readPassphrase(e, *newFile, "New passphrase", true)
	if err != nil {
		return err
	}
	sec, err := key.Marshal(pass, nil)
	if err != nil {
		return ipErr(err)
	}
	if err := atomicfile.Write(*out, sec, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "key %d re-encrypted into %s\n", key.Serial, *out)
	return nil
}
