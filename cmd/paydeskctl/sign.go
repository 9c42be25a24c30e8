package main

import (
	"context"
	"io"
	"os"
	"time"

	"paydesk/protocol/ipriv"
)

func init() {
	register(&command{
		name:    "sign",
		args:    "--key secret.key [--passphrase-file F] [--hash md5|sha256] [--time UNIX] [--detached]",
		summary: "sign the bytes on stdin; the signed document (or detached signature) on stdout",
		run:     signCmd,
	})
	register(&command{
		name:    "verify",
		args:    "--pubkeys FILE [--serial N] [--detached SIGFILE]",
		summary: "verify the signed document on stdin; its message bytes, exactly, on stdout",
		run:     verifyCmd,
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

func signCmd(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "sign")
	keyFile := fs.String("key", "", "secret key file")
	passFile := fs.String("passphrase-file", "", "file holding the passphrase")
	hashName := fs.String("hash", "md5", "md5 or sha256")
	unix := fs.Int64("time", -1, "signing time, Unix seconds (default: now)")
	detached := fs.Bool("detached", false, "write only the signature block")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("unexpected argument %q (the message comes on stdin)", pos[0])
	}
	if *keyFile == "" {
		return usageErrorf("--key is required")
	}
	h, err := ipriv.ParseHash(*hashName)
	if err != nil {
		return usageErrorf("--hash must be md5 or sha256")
	}
	at := e.now()
	if *unix >= 0 {
		at = time.Unix(*unix, 0)
	}
	key, err := loadSecretKey(e, *keyFile, *passFile)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(e.stdin)
	if err != nil {
		return err
	}
	var out []byte
	if *detached {
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

func verifyCmd(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "verify")
	pubFile := fs.String("pubkeys", "", "public key file")
	serial := fs.Uint("serial", 0, "serial of the key to verify with (default: the signer named in the document)")
	sigFile := fs.String("detached", "", "detached signature file; the message comes on stdin")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("unexpected argument %q (the document comes on stdin)", pos[0])
	}
	if *pubFile == "" {
		return usageErrorf("--pubkeys is required")
	}
	if *serial > 0xFFFFFFFF {
		return usageErrorf("--serial is out of range")
	}
	kb, err := os.ReadFile(*pubFile)
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
	if *sigFile != "" {
		sig, err := os.ReadFile(*sigFile)
		if err != nil {
			return err
		}
		want := uint32(*serial)
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
	want := uint32(*serial)
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
