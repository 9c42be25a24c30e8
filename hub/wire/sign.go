package wire

import (
	"bytes"
	"time"

	"paydesk/protocol/ipriv"
)

// Hash is the hash the desks sign batches with.
const Hash = ipriv.SHA256

// Sign encodes the batch and signs it with the point's secret key at time
// t, returning the IPRIV SM document to send (the body is the canonical
// encoding).
func Sign(b *Batch, key *ipriv.SecretKey, t time.Time) ([]byte, error) {
	body, err := Encode(b)
	if err != nil {
		return nil, err
	}
	doc, err := key.Sign(body, Hash, t)
	if err != nil {
		return nil, wrap("sign", KindSignature, err)
	}
	return doc, nil
}

// Keys looks up the public key registered for a point; it returns a nil key
// and a nil error when the point is not registered, and an error only when
// it could not look (that error is returned by Open as it is).
type Keys func(point string) (*ipriv.PublicKey, error)

// Open reads a signed batch: it learns the point from the document's body,
// looks up that point's key, verifies the document with it and decodes the
// verified body. Nothing in the batch may be believed unless Open returns
// it without an error. Refusals are *Error with KindFormat (not a signed
// batch), KindPoint (the point is not registered) or KindSignature (it does
// not verify under the point's key), or what Decode refuses.
func Open(doc []byte, keys Keys) (*Batch, error) {
	if len(doc) > MaxBytes {
		return nil, errorf("open", KindFormat, "the document is %d bytes, more than %d", len(doc), MaxBytes)
	}
	d, _, err := ipriv.Parse(doc)
	if err != nil {
		return nil, wrap("open", KindFormat, err)
	}
	if d.Type != ipriv.TypeSigned {
		return nil, errorf("open", KindFormat, "document type %q is not a signed message", d.Type)
	}
	claimed, err := Decode(d.Body)
	if err != nil {
		return nil, err
	}
	key, err := keys(claimed.Point)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, errorf("open", KindPoint, "point %q is not registered", claimed.Point)
	}
	vd, _, err := key.Verify(doc)
	if err != nil {
		return nil, wrap("open", KindSignature, err)
	}
	if !bytes.Equal(vd.Body, d.Body) { // the same bytes, read once more by Verify
		return nil, errorf("open", KindSignature, "the verified body is not the body read")
	}
	return claimed, nil
}
