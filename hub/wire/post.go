package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Path is where a hub takes batches.
const Path = "/v1/batch"

// ContentType is a signed batch's media type.
const ContentType = "application/x-ipriv-signed"

// Answer is the hub's reply to a batch.
type Answer struct {
	Point   string `json:"point,omitempty"`
	Last    int64  `json:"last"`    // the last event the hub has applied for the point
	Applied int    `json:"applied"` // events of the batch applied now
	Skipped int    `json:"skipped"` // events of the batch applied before
	// Refused says why the batch was not taken as it is: KindGap (send
	// again from Last+1), or a batch that will never be taken (its format,
	// its signature, an unregistered point). Empty when it was taken.
	Refused Kind `json:"refused,omitempty"`
	// Message says what went wrong in the language asked for.
	Message string `json:"message,omitempty"`
}

// Post sends a signed batch to the hub at base (such as
// "https://hub.example.ru") and returns its answer, a refusal included.
// An error means no answer came that can be believed (the network, the
// hub's own trouble: a 5xx): the desk keeps the batch and tries again.
// lang ("ru" or "en") is the language of the answer's message.
func Post(ctx context.Context, c *http.Client, base string, doc []byte, lang string) (*Answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+Path, bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("Accept-Language", lang)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	var a Answer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("wire: the hub answered %s with no answer: %w", resp.Status, err)
	}
	switch {
	case resp.StatusCode == http.StatusOK && a.Refused == "":
		return &a, nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && a.Refused != "":
		return &a, nil
	}
	return nil, fmt.Errorf("wire: the hub answered %s: %s", resp.Status, a.Message)
}
