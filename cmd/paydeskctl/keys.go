package main

import (
	"context"
	"errors"
	"flag"
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
		summary: "generate the point's key pair: DIR/secret.key and DIR/pubkeys.key (self-certified)",
		opts:    func() options { return &keysGenOpts{} },
	})
	register(&command{
		name:    "keys show",
		args:    "FILE",
		summary: "list the keys (or signed message) in an IPRIV file and check certifications",
		opts:    func() options { return &keysShowOpts{} },
	})
	register(&command{
		name:    "keys passwd",
		summary: "re-encrypt a secret key under a new passphrase",
		opts:    func() options { return &keysPasswdOpts{} },
	})
}

// keysGenOpts are the options of "keys gen".
type keysGenOpts struct {
	serial   uint
	user     string
	bits     int
	out      string
	passFile string
	card     string
	force    bool
}

func (o *keysGenOpts) flags(fs *flag.FlagSet) {
	fs.UintVar(&o.serial, "serial", 0, "key serial `N` assigned by the network (or from --card)")
	fs.StringVar(&o.user, "user", "", "user `ID`, api<AP> (for example api17032; or from --card)")
	fs.IntVar(&o.bits, "bits", 1024, "modulus size: `1024|2048`")
	fs.StringVar(&o.out, "out", "", required("folder `DIR` for secret.key and pubkeys.key"))
	fs.StringVar(&o.passFile, "passphrase-file", "", "`FILE` holding the passphrase (asked on the terminal when absent)")
	fs.StringVar(&o.card, "card", "", "key card `FILE` giving the serial and user id")
	fs.BoolVar(&o.force, "force", false, "overwrite existing key files")
}

func (o *keysGenOpts) run(_ context.Context, e *env, args []string) error {
	if err := noArgs(args, ""); err != nil {
		return err
	}
	if err := o.readCard(); err != nil {
		return err
	}
	switch {
	case o.serial == 0 || o.serial > 0xFFFFFFFF:
		return usageErrorf("--serial must be a key serial from 1 to 4294967295")
	case o.user == "":
		return usageErrorf("--user is required (api<AP>)")
	case o.out == "":
		return usageErrorf("--out is required")
	case o.bits != 1024 && o.bits != 2048:
		return usageErrorf("--bits must be 1024 or 2048")
	}
	if !o.force {
		// Refuse before the passphrase is asked for.
		if err := ipriv.CheckKeyPairFree(o.out); err != nil {
			return keyExists(err)
		}
	}
	pass, err := readPassphrase(e, o.passFile, "Passphrase for the new key", true)
	if err != nil {
		return err
	}
	kp, err := ipriv.WriteKeyPair(ipriv.KeyPairSpec{Dir: o.out, Bits: o.bits, Serial: uint32(o.serial), UserID: o.user,
		Passphrase: pass, Created: e.now(), Overwrite: o.force})
	if err != nil {
		return keyExists(err)
	}
	key, secPath, pubPath := kp.Key, kp.SecretFile, kp.PublicFile
	fmt.Fprintf(e.stdout, "serial: %d\nuser id: %s\nbits: %d\nsecret key: %s\npublic key: %s\n", key.Serial, key.UserID, key.Bits(), secPath, pubPath)
	fmt.Fprintf(e.stdout, "Send %s to the network for registration; keep %s and its passphrase to yourself.\n", pubPath, secPath)
	return nil
}

// readCard fills in the serial and the user id the flags leave out from
// the key card, when one is given.
func (o *keysGenOpts) readCard() error {
	if o.card == "" {
		return nil
	}
	b, err := os.ReadFile(o.card)
	if err != nil {
		return err
	}
	c, err := ipriv.ParseKeyCard(b)
	if err != nil {
		return ipErr(err)
	}
	if o.serial == 0 {
		o.serial = uint(c.Serial)
	}
	if o.user == "" {
		o.user = c.UserID
	}
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

// keysShowOpts are the options of "keys show": none.
type keysShowOpts struct{ noFlags }

func (o *keysShowOpts) run(_ context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return usageErrorf("give one file")
	}
	b, err := os.ReadFile(args[0])
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

// keysPasswdOpts are the options of "keys passwd".
type keysPasswdOpts struct {
	keyFile, oldFile, newFile, out string
}

func (o *keysPasswdOpts) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.keyFile, "key", "", required("secret key `FILE`"))
	fs.StringVar(&o.oldFile, "passphrase-file", "", "`FILE` holding the current passphrase (asked on the terminal when absent)")
	fs.StringVar(&o.newFile, "new-passphrase-file", "", "`FILE` holding the new passphrase (empty file: store in clear; asked when absent)")
	fs.StringVar(&o.out, "out", "", required("`FILE` to write the re-encrypted key to (may be the same file)"))
}

func (o *keysPasswdOpts) run(_ context.Context, e *env, args []string) error {
	if err := noArgs(args, ""); err != nil {
		return err
	}
	if o.keyFile == "" || o.out == "" {
		return usageErrorf("--key and --out are required")
	}
	b, err := os.ReadFile(o.keyFile)
	if err != nil {
		return err
	}
	old, err := readPassphrase(e, o.oldFile, "Current passphrase", false)
	if err != nil {
		return err
	}
	key, err := ipriv.ParseSecretKey(b, old)
	if err != nil {
		return ipErr(err)
	}
	pass, err := readPassphrase(e, o.newFile, "New passphrase", true)
	if err != nil {
		return err
	}
	sec, err := key.Marshal(pass, nil)
	if err != nil {
		return ipErr(err)
	}
	if err := atomicfile.Write(o.out, sec, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "key %d re-encrypted into %s\n", key.Serial, o.out)
	return nil
}
