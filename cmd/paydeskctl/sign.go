package main

import (
	"context"
	"flag"
	"io"
	"os"
	"time"

	"paydesk/protocol/ipriv"
)

func init() {
	register(&command{
		name:    "sign",
		summary: "sign the bytes on stdin; the signed document (or detached signature) on stdout",
		opts:    func() options { return &signOpts{} },
	})
	register(&command{
		name:    "verify",
		summary: "verify the signed document on stdin; its message bytes, exactly, on stdout",
		opts:    func() options { return &verifyOpts{} },
	})
}

// loadSecretKey reads a secret key file and opens it with the passphrase
// from passFile or the terminal.
func loadSecretKey(e *env, file, passFile string) (*ipriv.SecretKey, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if _, encrypted, err := ipriv.PeekSecretKey(b); err != nil {
		return nil, ipErr(err)
	} else if !encrypted && passFile == "" {
		return openKey(b, nil)
	}
	pass, err := readPassphrase(e, passFile, "Passphrase", false)
	if err != nil {
		return nil, err
	}
	return openKey(b, pass)
}

func openKey(b, pass []byte) (*ipriv.SecretKey, error) {
	k, err := ipriv.ParseSecretKey(b, pass)
	return k, ipErr(err)
}

// signOpts are the options of "sign".
type signOpts struct {
	keyFile, passFile string
	hash              string
	unix              int64
	detached          bool
}

func (o *signOpts) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.keyFile, "key", "", required("secret key `FILE`, such as secret.key"))
	fs.StringVar(&o.passFile, "passphrase-file", "", "`FILE` holding the passphrase (asked on the terminal when the key has one)")
	fs.StringVar(&o.hash, "hash", "md5", "the hash: `md5|sha256`")
	fs.Int64Var(&o.unix, "time", -1, "signing time, `UNIX` seconds (default: now)")
	fs.BoolVar(&o.detached, "detached", false, "write only the signature block")
}

func (o *signOpts) run(_ context.Context, e *env, args []string) error {
	if err := noArgs(args, "the message comes on stdin"); err != nil {
		return err
	}
	if o.keyFile == "" {
		return usageErrorf("--key is required")
	}
	h, err := ipriv.ParseHash(o.hash)
	if err != nil {
		return usageErrorf("--hash must be md5 or sha256")
	}
	at := e.now()
	if o.unix >= 0 {
		at = time.Unix(o.unix, 0)
	}
	key, err := loadSecretKey(e, o.keyFile, o.passFile)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(e.stdin)
	if err != nil {
		return err
	}
	var out []byte
	if o.detached {
		out, err = key.SignDetached(body, h, at)
	} else {
		out, err = key.Sign(body, h, at)
	}
	if err != nil {
		return ipErr(err)
	}
	_, err = e.stdout.Write(out)
	return err
}

// verifyOpts are the options of "verify".
type verifyOpts struct {
	pubFile string
	serial  uint
	sigFile string
}

func (o *verifyOpts) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.pubFile, "pubkeys", "", required("public key `FILE`"))
	fs.UintVar(&o.serial, "serial", 0, "serial `N` of the key to verify with (default: the signer named in the document)")
	fs.StringVar(&o.sigFile, "detached", "", "detached signature `SIGFILE`; the message comes on stdin")
}

func (o *verifyOpts) run(_ context.Context, e *env, args []string) error {
	if err := noArgs(args, "the document comes on stdin"); err != nil {
		return err
	}
	if o.pubFile == "" {
		return usageErrorf("--pubkeys is required")
	}
	if o.serial > 0xFFFFFFFF {
		return usageErrorf("--serial is out of range")
	}
	kb, err := os.ReadFile(o.pubFile)
	if err != nil {
		return err
	}
	ring, err := ipriv.ParseKeyring(kb)
	if err != nil {
		return ipErr(err)
	}
	in, err := io.ReadAll(e.stdin)
	if err != nil {
		return err
	}
	if o.sigFile != "" {
		return verifyDetached(e, ring, uint32(o.serial), o.sigFile, in)
	}
	return verifyDocument(e, ring, uint32(o.serial), in)
}

// verifyDetached verifies message in against the detached signature in
// sigFile and writes the message.
func verifyDetached(e *env, ring *ipriv.Keyring, serial uint32, sigFile string, in []byte) error {
	sig, err := os.ReadFile(sigFile)
	if err != nil {
		return err
	}
	want := serial
	if want == 0 {
		if s, err := ipriv.ReadSignature(&ipriv.Document{Signature: sig}); err == nil {
			want = s.Serial
		}
	}
	key, err := ring.Find(want)
	if err != nil {
		return ipErr(err)
	}
	if _, err := key.VerifyDetached(in, sig); err != nil {
		return ipErr(err)
	}
	_, err = e.stdout.Write(in)
	return err
}

// verifyDocument verifies the signed document in and writes its message.
func verifyDocument(e *env, ring *ipriv.Keyring, serial uint32, in []byte) error {
	want := serial
	if want == 0 {
		// Verify with the key the document names as its signer.
		d, _, err := ipriv.Parse(in)
		if err != nil {
			return ipErr(err)
		}
		want = d.Serial
	}
	key, err := ring.Find(want)
	if err != nil {
		return ipErr(err)
	}
	d, _, err := key.Verify(in)
	if err != nil {
		return ipErr(err)
	}
	_, err = e.stdout.Write(d.Body)
	return err
}
