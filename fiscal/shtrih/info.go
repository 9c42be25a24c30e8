package shtrih

import (
	"context"
	"fmt"
	"strings"
	"time"

	"paydesk/fiscal"
)

// FFD table field: desktop Shtrih registers keep the FFD version in table
// 17 ("regional settings"), row 1, field 17, as the vendor's JavaPOS driver
// reads it (SMFiscalPrinterImpl.getFDVersion).
const (
	ffdTable, ffdRow, ffdField = 17, 1, 17
)

// Info reads the FFD version (1Fh, table 17 field 17; tag 1209 of the
// registration when the table cannot be read), the last registration
// (FF09 and FF0E for 1057 and 1209), the fiscal drive's expiry (FF03), its
// warnings (FF01), the OFD queue (FF39) and the archive's free memory
// (FF63).
func (d *Device) Info(ctx context.Context) (fiscal.Info, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	in, err := d.info(ctx)
	return in, wrap("info", err)
}

func (d *Device) info(ctx context.Context) (fiscal.Info, error) {
	const op = "info"
	var in fiscal.Info
	reg, err := d.registration(ctx, op)
	switch {
	case unsupported(err):
	case err != nil:
		return in, err
	default:
		in.Registration = reg
	}
	exp, err := d.call(ctx, op, CmdFNExpiry, pwd(d.opt.AdminPassword))
	if err != nil {
		return in, err
	}
	var done int
	in.Drive.Expires, in.Registration.Left, done = ParseExpiry(exp, 0, d.opt.Location)
	if in.Registration.Known {
		if err := d.registrationTags(ctx, op, done, &in.Registration); err != nil {
			return in, err
		}
	}
	fn, err := d.fnStatus(ctx, op)
	if err != nil {
		return in, err
	}
	in.Drive.Warnings = fn.Warnings
	ofd, err := d.call(ctx, op, CmdOFDStatus, pwd(d.opt.AdminPassword))
	switch {
	case unsupported(err):
	case err != nil:
		return in, err
	default:
		if err := ParseOFDStatus(ofd, &in.Drive, d.opt.Location); err != nil {
			return in, &fiscal.Error{Op: op, Cmd: uint16(CmdOFDStatus), Kind: fiscal.KindLink, Err: err}
		}
	}
	res, err := d.call(ctx, op, CmdFNResource, pwd(d.opt.AdminPassword))
	switch {
	case unsupported(err):
	case err != nil:
		return in, err
	default:
		if err := ParseResource(res, &in.Drive); err != nil {
			return in, &fiscal.Error{Op: op, Cmd: uint16(CmdFNResource), Kind: fiscal.KindLink, Err: err}
		}
	}
	in.FFD = d.ffdVersion(ctx, op, in.Registration.FFD)
	return in, nil
}

// ffdVersion reads the table field, falling back to the registered
// version, and to 1.2 (what a register registered since 2022 runs) when
// neither can be read, as the vendor's driver does.
func (d *Device) ffdVersion(ctx context.Context, op string, registered fiscal.FFD) fiscal.FFD {
	v, err := d.call(ctx, op, CmdReadTable, ReadTableArgs(d.opt.AdminPassword, ffdTable, ffdRow, ffdField))
	if err == nil && len(v) > 0 {
		if n := fiscal.FFD(Uint(v[:min(len(v), 4)])); n > 0 {
			d.ffd = n
			return n
		}
	}
	if registered > 0 {
		d.ffd = registered
		return registered
	}
	d.ffd = fiscal.FFD12
	return d.ffd
}

// unsupported reports a device's "command not supported" (37h): an older
// firmware that cannot tell, not a fault.
func unsupported(err error) bool {
	return err != nil && fiscal.CodeOf(err) == fiscal.CodeNotSupported
}

// format is the FFD version receipts are formed in: the one Info read, or
// the table's when Info has not run on this connection.
func (d *Device) format(ctx context.Context, op string) fiscal.FFD {
	if d.ffd == 0 {
		d.ffdVersion(ctx, op, 0)
	}
	return d.ffd
}

// ReadTableArgs builds the 1Fh parameters: password, table, row, field.
func ReadTableArgs(password uint32, table byte, row uint16, field byte) []byte {
	b := append(pwd(password), table)
	b = PutUint(b, uint64(row), 2)
	return append(b, field)
}

// registration reads FF09: INN, RNM, tax systems, work mode.
func (d *Device) registration(ctx context.Context, op string) (fiscal.Registration, error) {
	data, err := d.call(ctx, op, CmdFNRegistration, pwd(d.opt.AdminPassword))
	if err != nil {
		return fiscal.Registration{}, err
	}
	r, err := ParseRegistration(data, d.opt.Location)
	if err != nil {
		return r, &fiscal.Error{Op: op, Cmd: uint16(CmdFNRegistration), Kind: fiscal.KindLink, Err: err}
	}
	return r, nil
}

// ParseRegistration decodes the data of an FF09 answer: DATE_TIME (5), INN
// (12 ASCII), RNM (20 ASCII), tax systems (1), work mode (1: bit 2
// automatic), then FD and FP; the FFD 1.1 layout adds fields after the
// work mode, which are not read.
func ParseRegistration(data []byte, loc *time.Location) (fiscal.Registration, error) {
	if len(data) < 39 {
		return fiscal.Registration{}, fmt.Errorf("%w: FF09 data of %d bytes", fiscal.ErrBadAnswer, len(data))
	}
	return fiscal.Registration{
		Time:       DateTime(data[0:5], loc),
		INN:        strings.TrimRight(string(data[5:17]), " \x00"),
		RNM:        strings.TrimRight(string(data[17:37]), " \x00"),
		TaxSystems: fiscal.TaxSystem(data[37]),
		Auto:       data[38]&0x04 != 0,
		Known:      true,
	}, nil
}

// ParseExpiry decodes an FF03 answer: the expiry date YYMMDD and, on the
// firmware that sends them (the layout the vendor's drivers read),
// re-registrations left and done. done is kept when the answer is short.
func ParseExpiry(data []byte, done int, loc *time.Location) (exp time.Time, left, doneOut int) {
	if len(data) < 3 || data[1] < 1 || data[1] > 12 || data[2] < 1 || data[2] > 31 {
		return time.Time{}, 0, done
	}
	exp = time.Date(2000+int(data[0]), time.Month(data[1]), int(data[2]), 0, 0, 0, 0, loc)
	if len(data) >= 5 {
		left, done = int(data[3]), int(data[4])
	}
	return exp, left, done
}

// registrationTags reads 1057 and 1209 of registration report done (FF0E);
// a tag the report does not hold (08h) is left zero: a register registered
// without the agent sign has no 1057.
func (d *Device) registrationTags(ctx context.Context, op string, done int, r *fiscal.Registration) error {
	if done <= 0 {
		done = 1
	}
	for _, num := range []uint16{1057, 1209} {
		args := append(pwd(d.opt.AdminPassword), byte(done))
		code, data, err := d.raw(ctx, op, CmdFNRegTag, PutUint(args, uint64(num), 2))
		switch {
		case err != nil:
			return err
		case code == 0x08:
			continue
		case code != 0:
			return fiscal.DeviceError(op, uint16(CmdFNRegTag), code)
		}
		v := regTagValue(data, num)
		if len(v) == 0 {
			continue
		}
		if num == 1057 {
			r.Agent = fiscal.AgentSign(v[0])
		} else {
			r.FFD = fiscal.FFD(v[0])
		}
	}
	return nil
}

// regTagValue is the value of tag num in an FF0E answer: a TLV as the
// protocol describes it, or (on some firmware) the bare value.
func regTagValue(data []byte, num uint16) []byte {
	if tags, err := fiscal.DecodeTags(data); err == nil {
		if t, ok := fiscal.Find(tags, num); ok {
			return t.Value
		}
	}
	if len(data) == 1 {
		return data
	}
	return nil
}

// ParseOFDStatus decodes an FF39 answer into d: status (1), read state
// (1), queue size (2), first unsent document number (4) and its DATE_TIME (5).
func ParseOFDStatus(data []byte, d *fiscal.Drive, loc *time.Location) error {
	if len(data) < 13 {
		return fmt.Errorf("%w: FF39 data of %d bytes", fiscal.ErrBadAnswer, len(data))
	}
	d.Unsent = int(Uint(data[2:4]))
	d.FirstUnsent = uint32(Uint(data[4:8]))
	d.OldestUnsent = time.Time{}
	if d.Unsent > 0 {
		d.OldestUnsent = DateTime(data[8:13], loc)
	}
	return nil
}

// ParseResource decodes an FF63 answer into d: the documents the archive
// may still hold (4 bytes), the free kilobytes of the 30-day area (4) and,
// on a drive registered for marked goods, a percentage (1).
func ParseResource(data []byte, d *fiscal.Drive) error {
	if len(data) < 8 {
		return fmt.Errorf("%w: FF63 data of %d bytes", fiscal.ErrBadAnswer, len(data))
	}
	d.DocsLeft, d.DocsKnown = int(Uint(data[0:4])), true
	return nil
}
