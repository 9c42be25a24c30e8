package shtrih

import (
	"context"
	"errors"
	"fmt"
	"time"

	"paydesk/fiscal"
)

// validate checks a receipt before anything is sent.
func validate(r fiscal.Receipt) error {
	if len(r.Lines) == 0 {
		return errors.New("no lines")
	}
	for i, l := range r.Lines {
		switch {
		case l.Quantity <= 0 || l.Quantity >= 1<<47:
			return fmt.Errorf("line %d: quantity %d out of range", i+1, l.Quantity)
		case l.Price < 0 || l.Price >= 1<<39:
			return fmt.Errorf("line %d: price %d out of range", i+1, l.Price)
		case TaxBits(l.Tax) == 0:
			return fmt.Errorf("line %d: tax group %d unknown", i+1, l.Tax)
		case len(fiscal.EncodeCP1251(l.Name)) > 128:
			return fmt.Errorf("line %d: name longer than 128 characters", i+1)
		case l.Department < 0 || l.Department > 16:
			return fmt.Errorf("line %d: department %d out of range", i+1, l.Department)
		}
	}
	if r.Payments.Cash < 0 || r.Payments.Card < 0 {
		return errors.New("negative payment")
	}
	if total := r.Total(); r.Payments.Cash+r.Payments.Card < total {
		return fmt.Errorf("payments %d less than total %d", r.Payments.Cash+r.Payments.Card, total)
	}
	if r.Payments.Card > r.Total() {
		return errors.New("card payment greater than the total")
	}
	if ts := r.TaxSystem; ts == 0 || ts&(ts-1) != 0 {
		return fmt.Errorf("tax system %#02x is not exactly one system", byte(ts))
	}
	if len(fiscal.EncodeCP1251(r.Text)) > 64 {
		return errors.New("closing text longer than 64 characters")
	}
	if c := r.Correction; c != nil {
		switch {
		case c.Date.IsZero():
			return errors.New("correction receipt without the settlement's date (1178)")
		case len([]rune(c.Order)) > 32, len([]rune(c.Basis)) > 32:
			return errors.New("correction basis number longer than 32 characters (1179)")
		case len([]rune(c.Description)) > 255:
			return errors.New("correction description longer than 255 characters (1177)")
		}
	}
	return nil
}

// CorrectionTags returns the tags that make a receipt a correction in the
// form of FFD version v: 1173 (0 on the user's own, 1 by the tax
// authority's order) and 1174 {1178 the settlement's date, 1179 the order's
// number when by order}; FFD 1.05 also puts the description (1177) and the
// basis document's number (1179, the user's own when there is no order)
// in 1174. None when r is no correction.
func CorrectionTags(v fiscal.FFD, r fiscal.Receipt, loc *time.Location) []fiscal.Tag {
	c := r.Correction
	if c == nil {
		return nil
	}
	if loc == nil {
		loc = time.Local
	}
	var typ byte
	if c.Order != "" {
		typ = 1
	}
	y, m, d := c.Date.In(loc).Date()
	day := fiscal.Uint32(1178, uint32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()))
	var basis []fiscal.Tag
	if v < fiscal.FFD12 && c.Description != "" {
		basis = append(basis, fiscal.String(1177, c.Description))
	}
	basis = append(basis, day)
	switch {
	case c.Order != "":
		basis = append(basis, fiscal.String(1179, c.Order))
	case v < fiscal.FFD12 && c.Basis != "":
		basis = append(basis, fiscal.String(1179, c.Basis))
	}
	return []fiscal.Tag{fiscal.Byte(1173, typ), fiscal.Struct(1174, basis...)}
}

// LineTags returns the tags sent with FF4D after line l's FF46, in the
// form of FFD version v. Both versions carry the agent sign (1222), the
// supplier (1224 {1225, 1171}) and its INN (1226) on an agent's line; FFD
// 1.2 adds the measure of quantity (2108, 0 = pieces) to every line and
// moves the agent's phones into the line's agent data (1223 {1073, 1074}),
// since its receipt carries no receipt-level agent tags (docs/fiscal.md).
func LineTags(v fiscal.FFD, r fiscal.Receipt, l fiscal.Line) []fiscal.Tag {
	var tags []fiscal.Tag
	if l.Agent != 0 {
		tags = append(tags, fiscal.Byte(1222, byte(l.Agent)))
		if a := r.Agent; v >= fiscal.FFD12 && a != nil && len(a.AgentPhones)+len(a.OperatorPhones) > 0 {
			var sub []fiscal.Tag
			for _, p := range a.AgentPhones {
				sub = append(sub, fiscal.String(1073, p))
			}
			for _, p := range a.OperatorPhones {
				sub = append(sub, fiscal.String(1074, p))
			}
			tags = append(tags, fiscal.Struct(1223, sub...))
		}
	}
	if s := l.Supplier; s != nil {
		var sub []fiscal.Tag
		if s.Name != "" {
			sub = append(sub, fiscal.String(1225, s.Name))
		}
		for _, p := range s.Phones {
			sub = append(sub, fiscal.String(1171, p))
		}
		if len(sub) > 0 {
			tags = append(tags, fiscal.Struct(1224, sub...))
		}
		if s.INN != "" {
			tags = append(tags, fiscal.FixedString(1226, s.INN, 12))
		}
	}
	if v >= fiscal.FFD12 {
		tags = append(tags, fiscal.Byte(2108, 0))
	}
	return append(tags, l.Tags...)
}

// ReceiptTags returns the tags sent with FF0C before FF45, in the form of
// FFD version v: under FFD 1.05 the agent sign (1057) and the agent's,
// operator's and supplier's phones (1073, 1074, 1171) at receipt level;
// under 1.2 none of them (they are on the lines). The cashier (1021, 1203)
// and the receipt's own tags (1008, 1084) in both.
func ReceiptTags(v fiscal.FFD, r fiscal.Receipt) []fiscal.Tag {
	var tags []fiscal.Tag
	if a := r.Agent; a != nil && v < fiscal.FFD12 {
		if a.Sign != 0 {
			tags = append(tags, fiscal.Byte(1057, byte(a.Sign)))
		}
		for _, p := range a.AgentPhones {
			tags = append(tags, fiscal.String(1073, p))
		}
		for _, p := range a.OperatorPhones {
			tags = append(tags, fiscal.String(1074, p))
		}
	}
	if v < fiscal.FFD12 {
		for _, p := range r.SupplierPhones {
			tags = append(tags, fiscal.String(1171, p))
		}
	}
	tags = append(tags, cashierTags(r.Cashier)...)
	return append(tags, r.Tags...)
}

// OperationArgs builds the FF46 parameters after the command code.
func OperationArgs(password uint32, kind fiscal.ReceiptKind, l fiscal.Line) []byte {
	b := pwd(password)
	b = append(b, byte(kind))
	b = PutUint(b, uint64(l.Quantity), 6)
	b = PutMoney(b, l.Price)
	b = append(b, NoValue...) // sum: the KKT computes price × quantity
	b = append(b, NoValue...) // tax amount: not given
	method := l.Method
	if method == 0 {
		method = fiscal.FullPayment
	}
	b = append(b, TaxBits(l.Tax), byte(l.Department), byte(method), byte(l.Subject))
	return PutText(b, l.Name, 0)
}

// CloseArgs builds the FF45 parameters after the command code.
func CloseArgs(password uint32, r fiscal.Receipt) []byte {
	b := pwd(password)
	b = PutMoney(b, r.Payments.Cash)
	b = PutMoney(b, r.Payments.Card)
	for i := 2; i < 16; i++ {
		b = PutMoney(b, 0)
	}
	b = append(b, 0) // rounding
	for i := 0; i < 6; i++ {
		b = PutMoney(b, 0) // tax sums: computed by the KKT in tax mode 0
	}
	b = append(b, byte(r.TaxSystem))
	return PutText(b, r.Text, 0)
}

// openType maps a receipt to the 8Dh document type: 0–3 by its kind, and
// 80h–83h for a correction receipt (the vendor's correction types).
func openType(r fiscal.Receipt) byte {
	t := kindType(r.Kind)
	if r.Correction != nil {
		t |= 0x80
	}
	return t
}

// kindType maps a receipt kind to the 8Dh document type of a receipt.
func kindType(k fiscal.ReceiptKind) byte {
	switch k {
	case fiscal.Buy:
		return 1
	case fiscal.SaleReturn:
		return 2
	case fiscal.BuyReturn:
		return 3
	}
	return 0
}

// Fiscalize forms a receipt: [8Dh] → (FF46 → FF4D…)… → FF0C… → FF45, then
// reads the shift and receipt numbers (FF40) and the time (FF0A). A receipt
// that fails before FF45 is cancelled; a lost FF45 answer is resolved from the
// fiscal drive and never answered by a second FF45 unless the drive proves the
// first one was not executed.
func (d *Device) Fiscalize(ctx context.Context, r fiscal.Receipt) (fiscal.Result, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	const op = "fiscalize"
	if r.Kind == 0 {
		r.Kind = fiscal.Sale
	}
	if err := validate(r); err != nil {
		return fiscal.Result{}, wrap(op, &fiscal.Error{Op: op, Kind: fiscal.KindProgram, Err: err})
	}
	v := d.format(ctx, op)
	var args105 []byte
	if r.Correction != nil && v < fiscal.FFD12 {
		var err error
		if args105, err = CorrectionArgs(d.opt.AdminPassword, r); err != nil {
			return fiscal.Result{}, wrap(op, &fiscal.Error{Op: op, Kind: fiscal.KindProgram, Err: err})
		}
	}
	for _, t := range append(append(CorrectionTags(v, r, d.opt.Location), ReceiptTags(v, r)...), allLineTags(v, r)...) {
		if t.Len() > maxTLVPerCommand {
			return fiscal.Result{}, wrap(op, &fiscal.Error{Op: op, Kind: fiscal.KindProgram, Err: fmt.Errorf("tag %d longer than %d bytes", t.Num, maxTLVPerCommand)})
		}
	}
	if err := d.ready(ctx, op, true, r.Cashier); err != nil {
		return fiscal.Result{}, wrap(op, err)
	}
	fn, err := d.fnStatus(ctx, op)
	if err != nil {
		return fiscal.Result{}, wrap(op, err)
	}
	if args105 != nil {
		res, err := d.correction105(ctx, op, r, args105, fn.LastFD)
		return res, wrap(op, err)
	}
	res, err := d.fiscalize(ctx, op, r, fn.LastFD)
	return res, wrap(op, err)
}

// CorrectionArgs builds the FF4A parameters of FFD 1.05's correction
// receipt after the command code: the correction's type (1173), the
// settlement sign, the sum, its cash and electronic parts (prepaid,
// postpaid and counter-provision zero), the VAT sums (20 % in the
// protocol's "18 %" field, 10 %, the sums at 0 % and without VAT, 20/120
// and 10/110), and the tax system. A line whose VAT the 1.05 form cannot
// carry (5, 7 or 22 %) is refused: such a receipt is for FFD 1.2.
func CorrectionArgs(password uint32, r fiscal.Receipt) ([]byte, error) {
	var vat20, vat10, at0, none, vat120, vat110 int64
	for _, l := range r.Lines {
		sum := l.Sum()
		switch l.Tax {
		case fiscal.VAT20:
			vat20 += (sum*20 + 60) / 120
		case fiscal.VAT10:
			vat10 += (sum*10 + 55) / 110
		case fiscal.VAT0:
			at0 += sum
		case fiscal.NoVAT:
			none += sum
		case fiscal.VAT120:
			vat120 += (sum*20 + 60) / 120
		case fiscal.VAT110:
			vat110 += (sum*10 + 55) / 110
		default:
			return nil, fmt.Errorf("tax group %d has no place in an FFD 1.05 correction receipt", l.Tax)
		}
	}
	total := r.Total()
	card := min(r.Payments.Card, total)
	var typ byte
	if r.Correction.Order != "" {
		typ = 1
	}
	kind := r.Kind
	if kind == 0 {
		kind = fiscal.Sale
	}
	b := append(pwd(password), typ, byte(kind))
	for _, v := range []int64{total, total - card, card, 0, 0, 0, vat20, vat10, at0, none, vat120, vat110} {
		b = PutMoney(b, v)
	}
	return append(b, byte(r.TaxSystem)), nil
}

// correction105 forms an FFD 1.05 correction receipt: FF35 → FF0C
// (1173, 1174, the cashier, the receipt's own tags) → FF4A. A lost FF4A
// answer is resolved from the fiscal drive as FF45's is.
func (d *Device) correction105(ctx context.Context, op string, r fiscal.Receipt, args []byte, lastFD uint32) (res fiscal.Result, err error) {
	open := false
	defer func() {
		if err != nil && open {
			if cerr := d.cancel(context.WithoutCancel(ctx), op); cerr != nil {
				d.log.Warn("shtrih: could not cancel the failed correction receipt", "err", cerr)
			}
		}
	}()
	if _, err := d.call(ctx, op, CmdFNCorrection, pwd(d.opt.AdminPassword)); err != nil {
		return res, err
	}
	open = true
	tags := append(CorrectionTags(fiscal.FFD105, r, d.opt.Location), cashierTags(r.Cashier)...)
	for _, t := range append(tags, r.Tags...) {
		if err := d.tag(ctx, op, CmdDocTag, t); err != nil {
			return res, err
		}
	}
	data, err := d.call(ctx, op, CmdCorrectionV2, args)
	if isOutcomeUnknown(err) {
		res, again, rerr := d.resolveClose(ctx, op, r, lastFD)
		if rerr != nil {
			open = false
			return res, errors.Join(err, rerr)
		}
		if !again {
			open = false
			return res, nil
		}
		d.log.Warn("shtrih: FF4A was not executed (correction still open): forming it")
		data, err = d.call(ctx, op, CmdCorrectionV2, args)
	}
	if err != nil {
		return res, err
	}
	open = false
	if len(data) < 10 {
		return res, &fiscal.Error{Op: op, Cmd: uint16(CmdCorrectionV2), Kind: fiscal.KindLink, Err: fmt.Errorf("%w: FF4A data of %d bytes", fiscal.ErrBadAnswer, len(data))}
	}
	res.ReceiptNumber = int(Uint(data[0:2]))
	res.FD = uint32(Uint(data[2:6]))
	res.FP = uint32(Uint(data[6:10]))
	if len(data) >= 15 {
		res.Time = DateTime(data[10:15], d.opt.Location)
	} else if doc, err := d.findDoc(ctx, op, res.FD); err == nil {
		res.Time = doc.Time
	}
	res.Change = r.Payments.Cash + r.Payments.Card - r.Total()
	d.fillNumbers(ctx, op, &res)
	return res, d.waitPrinted(ctx, op)
}

func allLineTags(v fiscal.FFD, r fiscal.Receipt) []fiscal.Tag {
	var out []fiscal.Tag
	for _, l := range r.Lines {
		out = append(out, LineTags(v, r, l)...)
	}
	return out
}

func (d *Device) fiscalize(ctx context.Context, op string, r fiscal.Receipt, lastFD uint32) (res fiscal.Result, err error) {
	open := false
	defer func() {
		if err != nil && open {
			if cerr := d.cancel(context.WithoutCancel(ctx), op); cerr != nil {
				d.log.Warn("shtrih: could not cancel the failed receipt", "err", cerr)
			}
		}
	}()
	if r.Kind != fiscal.Sale || r.Correction != nil {
		if _, err := d.call(ctx, op, CmdOpenReceipt, append(pwd(d.opt.Password), openType(r))); err != nil {
			return res, err
		}
		open = true
	}
	for _, l := range r.Lines {
		open = true
		if _, err := d.call(ctx, op, CmdOperation, OperationArgs(d.opt.Password, r.Kind, l)); err != nil {
			return res, err
		}
		for _, t := range LineTags(d.ffd, r, l) {
			if err := d.tag(ctx, op, CmdOperationTag, t); err != nil {
				return res, err
			}
		}
	}
	for _, t := range append(CorrectionTags(d.ffd, r, d.opt.Location), ReceiptTags(d.ffd, r)...) {
		if err := d.tag(ctx, op, CmdDocTag, t); err != nil {
			return res, err
		}
	}
	args := CloseArgs(d.opt.Password, r)
	data, err := d.call(ctx, op, CmdCloseReceipt, args)
	switch {
	case err == nil:
	case isOutcomeUnknown(err):
		res, again, rerr := d.resolveClose(ctx, op, r, lastFD)
		if rerr != nil {
			open = false // leave the state as it is for the next readiness poll
			return res, errors.Join(err, rerr)
		}
		if !again {
			open = false
			return res, nil
		}
		d.log.Warn("shtrih: FF45 was not executed (receipt still open): closing it")
		if data, err = d.call(ctx, op, CmdCloseReceipt, args); err != nil {
			return res, err
		}
	case fiscal.CodeOf(err) == fiscal.CodeNoPaper || fiscal.CodeOf(err) == fiscal.CodeWaitContinue:
		res, again, rerr := d.resolveClose(ctx, op, r, lastFD)
		if rerr != nil || again {
			return res, err // not registered: cancelled by the deferred call
		}
		open = false
		res.PrintPending = true
		if s, serr := d.shortStatus(ctx, op); serr == nil && s.Submode == int(fiscal.SubmodeWaitContinue) {
			if _, cerr := d.call(ctx, op, CmdContinue, pwd(d.opt.Password)); cerr == nil {
				res.PrintPending = false
			}
		}
		return res, nil
	default:
		return res, err
	}
	open = false
	if len(data) < 13 {
		return res, &fiscal.Error{Op: op, Cmd: uint16(CmdCloseReceipt), Kind: fiscal.KindLink, Err: fmt.Errorf("%w: FF45 data of %d bytes", fiscal.ErrBadAnswer, len(data))}
	}
	res.Change = Money(data[0:5])
	res.FD = uint32(Uint(data[5:9]))
	res.FP = uint32(Uint(data[9:13]))
	if len(data) >= 18 {
		res.Time = DateTime(data[13:18], d.opt.Location)
	} else if doc, err := d.findDoc(ctx, op, res.FD); err == nil {
		res.Time = doc.Time
	}
	d.fillNumbers(ctx, op, &res)
	return res, nil
}

func (d *Device) fillNumbers(ctx context.Context, op string, res *fiscal.Result) {
	if sp, err := d.call(ctx, op, CmdShiftParams, pwd(d.opt.AdminPassword)); err == nil && len(sp) >= 5 {
		res.Shift = int(Uint(sp[1:3]))
		res.ReceiptNumber = int(Uint(sp[3:5]))
	}
}

// resolveClose finds out whether a receipt close whose answer was lost was
// executed (spec §3.4). again reports that the receipt is provably still open
// and FF45 may be sent again.
func (d *Device) resolveClose(ctx context.Context, op string, r fiscal.Receipt, lastFD uint32) (res fiscal.Result, again bool, err error) {
	ctx = context.WithoutCancel(ctx)
	fn, err := d.fnStatus(ctx, op)
	if err != nil {
		return res, false, err
	}
	if fn.LastFD != lastFD {
		doc, err := d.findDoc(ctx, op, fn.LastFD)
		if err != nil {
			return res, false, err
		}
		if doc.Type == docType(r) && doc.Sum == r.Total() && doc.Kind == r.Kind {
			d.log.Warn("shtrih: receipt close answer lost; the receipt is in the fiscal drive", "fd", doc.FD)
			res = fiscal.Result{FD: doc.FD, FP: doc.FP, Time: doc.Time, Recovered: true}
			res.Change = r.Payments.Cash + r.Payments.Card - r.Total()
			d.fillNumbers(ctx, op, &res)
			return res, false, nil
		}
		return res, false, fmt.Errorf("last fiscal document %d is not this receipt", fn.LastFD)
	}
	s, err := d.shortStatus(ctx, op)
	if err != nil {
		return res, false, err
	}
	if s.Mode == int(fiscal.ModeDocument) {
		return res, true, nil
	}
	return res, false, &fiscal.Error{Op: op, Cmd: uint16(CmdCloseReceipt), Kind: fiscal.KindLink, Err: ErrNotFiscalized}
}

// docType is the fiscal drive's document type of receipt r.
func docType(r fiscal.Receipt) fiscal.DocType {
	if r.Correction != nil {
		return fiscal.DocCorrection
	}
	return fiscal.DocReceipt
}
