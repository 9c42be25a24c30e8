package shtrih

import (
	"strings"

	"paydesk/fiscal"
)

// DriverName is the name the driver registers with fiscal.Open.
const DriverName = "shtrih"

func init() { fiscal.RegisterDriver(DriverName, open) }

// open dials c.Port and drives the register there. Over tcp:// the line
// speed has no meaning, so the timeouts do not allow for it.
func open(c fiscal.Config) (fiscal.Register, error) {
	conn, err := Dial(c.Port, c.Baud, c.DialTimeout)
	if err != nil {
		return nil, &fiscal.Error{Op: "connect", Kind: fiscal.KindLink, Err: err}
	}
	baud := c.Baud
	if strings.HasPrefix(c.Port, "tcp://") {
		baud = 0
	}
	return New(conn, Options{Password: c.Password, AdminPassword: c.AdminPassword, Baud: baud, ByteTimeout: c.ByteTimeout,
		MaxAnswerTimeout: c.MaxAnswerTimeout, ReadyTimeout: c.ReadyTimeout, Logger: c.Log}), nil
}
