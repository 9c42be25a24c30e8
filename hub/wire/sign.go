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

// Signed is a signed batch read but not yet believed: Batch is what it
// claims, to learn its point; only Verify's batch may be used.
type Signed struct {
	Batch *Batch
	doc   []byte
	body  []byte
}

// Read parses a signed batch and decodes what it claims, without
// verifying it. Refusals are *Error with KindFormat or what Decode refuses.
func Read(doc []byte) (*Signed, error) {
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
	return &Signed{Batch: claimed, doc: doc, body: d.Body}, nil
}

// Verify checks the document with the point's registered key and returns
// the batch, now to be believed; a nil key is KindPoint (not registered).
func (s *Signed) Verify(key *ipriv.PublicKey) (*Batch, error) {
	if key == nil {
		return nil, errorf("open", KindPoint, "point %q is not registered", s.Batch.Point)
	}
	vd, _, err := key.Verify(s.doc)
	if err != nil {
		return nil, wrap("open", KindSignature, err)
	}
	if !bytes.Equal(vd.Body, s.body) { // the same bytes, read once more by Verify
		return nil, errorf("open", KindSignature, "the verified body is not the body read")
	}
	return s.Batch, nil
}

// Open reads a signed batch: it learns the point from the document's body,
// looks up that point's key, verifies the document with it and returns the
// batch. Nothing in the batch may be believed unless Open returns it
// without an error. Refusals are *Error with KindFormat (not a signed
// batch), KindPoint (the point is not registered) or KindSignature (it does
// not verify under the point's key), or what Decode refuses.
func Open(doc []byte, keys Keys) (*Batch, error) {
	s, err := Read(doc)
	if err != nil {
		return nil, err
	}
	key, err := keys(s.Batch.Point)
	if err != nil {
		return nil, err
	}
	return s.Verify(key)
}
