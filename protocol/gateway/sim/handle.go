package sim

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/protocol/ipriv"
)

// moscow is Moscow time, UTC+3 all year since 2014.
var moscow = time.FixedZone("MSK", 3*60*60)

// dateLayout is the gateway's DD.MM.YYYY HH:MM:SS.
const dateLayout = "02.01.2006 15:04:05"

var (
	sessionRE    = regexp.MustCompile(`^[A-Za-z0-9]{1,20}$`)
	amountRE     = regexp.MustCompile(`^\d{1,13}\.\d{2}$`)
	acceptKeysRE = regexp.MustCompile(`^[0-9A-Za-z-]{1,40}$`)
	trainingRE   = regexp.MustCompile(`^[09]0{3,}(\d{3})$`)
)

// The training codes (see the package documentation).
const (
	trainNotOperator  = "023"
	trainLatency      = "100"
	trainHTTP500      = "500"
	trainDrop         = "502"
	trainGarble       = "503"
	trainBadSignature = "504"
	trainWrongSession = "505"
	trainStuck        = "506"
	trainFail         = "507"
	// The cases of a payment's life after an acceptance, and of a lost
	// pay that was not taken.
	trainCreditAfter     = "508"
	trainFailAfterAccept = "509"
	trainNeverRegistered = "510"
	trainPayWithCheck    = "511"
	trainNotPaid21       = "512"
)

// trainingCode returns the training code of a payer id, or "".
func trainingCode(id string) string {
	if m := trainingRE.FindStringSubmatch(id); m != nil {
		return m[1]
	}
	return ""
}

// request is a parsed request: verified fields, or the ERROR that refuses
// it before any processing.
type request struct {
	rt      route
	fields  gateway.Fields // verified; nil when code is set
	session string         // the SESSION to echo
	hash    ipriv.Hash     // for the answer
	code    int
}

// hashFor reads ACCEPT_KEYS: "<serial>-sha256" asks for SHA-256.
func hashFor(acceptKeys string) ipriv.Hash {
	if strings.HasSuffix(strings.ToLower(acceptKeys), "-sha256") {
		return ipriv.SHA256
	}
	return ipriv.MD5
}

// echoable reports whether an unverified SESSION may be echoed.
func echoable(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// parse reads the form, verifies the document with the dealer key its
// header names and checks the fields every request shares.
func (s *Sim) parse(rt route, body []byte) *request {
	req := &request{rt: rt, hash: ipriv.MD5}
	doc, err := gateway.ReadForm(body)
	if err != nil {
		req.code = 10
		return req
	}
	d, _, err := ipriv.Parse(doc)
	if err != nil {
		req.code = 6
		return req
	}
	// Unverified, only to echo SESSION and pick the hash of the refusal.
	if f, err := gateway.ParseFields(d.Body); err == nil {
		if sess := f.Get("SESSION"); echoable(sess) {
			req.session = sess
		}
		req.hash = hashFor(f.Get("ACCEPT_KEYS"))
	}
	var keys []*ipriv.PublicKey
	for _, k := range s.cfg.DealerKeys.Keys {
		if k.Serial == d.Serial && d.Serial != 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		req.code = 134
		return req
	}
	verified := false
	for _, k := range keys { // the same serial may be registered twice
		if _, _, err := k.Verify(doc); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		req.code = 6
		return req
	}
	f, err := gateway.ParseFields(d.Body)
	if err != nil {
		req.code = 10
		return req
	}
	req.code = s.common(rt.op, f)
	if req.code == 0 {
		req.fields = f
	}
	return req
}

// common checks ACCEPT_KEYS, DATE, SD/AP/OP and SESSION.
func (s *Sim) common(op Op, f gateway.Fields) int {
	if !acceptKeysRE.MatchString(f.Get("ACCEPT_KEYS")) {
		return 10
	}
	if op == OpCheck || op == OpPay {
		if _, err := time.Parse(dateLayout, f.Get("DATE")); err != nil {
			return 10
		}
	}
	for _, c := range []struct {
		name, want string
		code       int
	}{{"SD", s.cfg.SD, 2}, {"AP", s.cfg.AP, 3}, {"OP", s.cfg.OP, 4}} {
		v, ok := f.Lookup(c.name)
		if (ok || op != OpStatus) && v != c.want {
			return c.code
		}
	}
	sess, ok := f.Lookup("SESSION")
	if (ok || op != OpBalance) && !sessionRE.MatchString(sess) {
		return 5
	}
	return 0
}

// described checks the fields of request req of a provider described
// field by field (gateway.Provider.Received): ERROR 8 when the first field
// that fails is sent as NUMBER, 9 as ACCOUNT, 10 (the request's format) as
// any other name; 0 when every field passes or the provider has no fields.
func described(p *gateway.Provider, req string, f gateway.Fields) int {
	bad, err := p.Received(req, f)
	if err == nil {
		return 0
	}
	switch strings.ToUpper(bad) {
	case "NUMBER":
		return 8
	case "ACCOUNT":
		return 9
	}
	return 10
}

// params are the fields of a described provider's check layout, beside
// NUMBER and ACCOUNT, as request f sent them (nil when none).
func params(p *gateway.Provider, f gateway.Fields) map[string]string {
	r := p.Requests[gateway.ReqCheck]
	if r == nil {
		return nil
	}
	var out map[string]string
	for _, s := range r.Send {
		name := strings.ToUpper(s.Name)
		if name == "NUMBER" || name == "ACCOUNT" {
			continue
		}
		if v, ok := f.Lookup(name); ok {
			if out == nil {
				out = map[string]string{}
			}
			out[name] = v
		}
	}
	return out
}

// payerOf returns the request's payer id (the provider's NUMBER or ACCOUNT)
// and ERROR 8 or 9 when it does not fit the provider's pattern.
func payerOf(p *gateway.Provider, f gateway.Fields) (string, int) {
	id := f.Get(p.Field)
	if id == "" || len(id) > 20 || !p.Pattern.MatchString(id) {
		if p.Field == "ACCOUNT" {
			return "", 9
		}
		return "", 8
	}
	return id, 0
}

// amountsOf reads AMOUNT and AMOUNT_ALL: exactly two decimals (7), AMOUNT
// within the provider's limits (7), AMOUNT_ALL not below AMOUNT (85), AMOUNT
// not above MaxPayment (81).
func (s *Sim) amountsOf(p *gateway.Provider, f gateway.Fields) (amount, all money.Amount, code int) {
	a, b := f.Get("AMOUNT"), f.Get("AMOUNT_ALL")
	if !amountRE.MatchString(a) || !amountRE.MatchString(b) {
		return 0, 0, 7
	}
	amount, err1 := money.Parse(a)
	all, err2 := money.Parse(b)
	if err1 != nil || err2 != nil || p.CheckAmount(amount) != nil {
		return 0, 0, 7
	}
	if all < amount {
		return 0, 0, 85
	}
	if most, _ := s.limits(); most > 0 && amount > most {
		return 0, 0, 81
	}
	return amount, all, 0
}

// latencyFor returns the training delay of the request's payer id.
func (s *Sim) latencyFor(req *request) time.Duration {
	if req.code != 0 {
		return 0
	}
	var payer string
	switch req.rt.op {
	case OpCheck, OpPay:
		if req.rt.provider != nil {
			payer = req.fields.Get(req.rt.provider.Field)
		}
	case OpStatus:
		s.lockState()
		if x := s.st.Sessions[req.fields.Get("SESSION")]; x != nil {
			payer = x.Payer
		}
		s.unlockState()
	}
	if trainingCode(payer) == trainLatency {
		return s.cfg.TrainingLatency
	}
	return 0
}

// process answers a parsed request and chooses the fault of the answer.
func (s *Sim) process(req *request, f Faults) *reply {
	op := req.rt.op
	rep := &reply{op: op, hash: req.hash, session: req.session}
	switch {
	case req.code != 0:
		s.refuse(rep, req.code)
	case f.Refuse.Has(op) && f.RefuseCode != 0:
		s.refuse(rep, f.RefuseCode)
	case op == OpCheck:
		s.check(req, rep)
	case op == OpPay:
		s.pay(req, rep, f)
	case op == OpStatus:
		s.status(req, rep)
	default:
		s.balance(req, rep)
	}
	if rep.fault == faultNone {
		switch {
		case f.Drop.Has(op):
			rep.fault = faultDrop
		case f.Garble.Has(op):
			rep.fault = faultGarble
		case f.BadSignature.Has(op):
			rep.fault = faultBadSignature
		case f.WrongSession.Has(op):
			rep.fault = faultWrongSession
		}
	}
	return rep
}

// head starts an answer: DATE (Moscow time) and SESSION.
func (s *Sim) head(rep *reply, at time.Time) {
	rep.fields = gateway.Fields{{Name: "DATE", Value: at.In(moscow).Format(dateLayout)}, {Name: "SESSION", Value: rep.session}}
}

// refuse answers ERROR=code (with RESULT=1 for check and pay) and the
// catalogue's message.
func (s *Sim) refuse(rep *reply, code int) {
	s.head(rep, s.clk.Now())
	rep.code = code
	rep.fields = append(rep.fields, gateway.Field{Name: "ERROR", Value: strconv.Itoa(code)})
	if rep.op == OpCheck || rep.op == OpPay {
		rep.fields = append(rep.fields, gateway.Field{Name: "RESULT", Value: "1"})
	}
	rep.fields = append(rep.fields, gateway.Field{Name: "ERRMSG", Value: safeText(gateway.Lookup(code).Msg().In("ru"))})
}

// opName is the provider's name as OPNAME carries it (at most 20
// characters).
func opName(p *gateway.Provider) string {
	r := []rune(safeText(p.Name))
	if len(r) > 20 {
		r = r[:20]
	}
	return string(r)
}

// addInfo is the text a check shows the cashier before pay.
func addInfo(p *gateway.Provider, payer string) string {
	masked := payer
	if len(payer) > 6 {
		masked = payer[:3] + strings.Repeat("*", len(payer)-6) + payer[len(payer)-3:]
	}
	what := "Абонент"
	if p.Field == "ACCOUNT" {
		what = "Лицевой счёт"
	}
	return safeText(fmt.Sprintf("%s: %s %s", p.Name, what, masked))
}

// check answers a check: it reads the request's payer id and amounts,
// records a new session and answers with the provider's name and the
// dealer's balance.
func (s *Sim) check(req *request, rep *reply) {
	p, f := req.rt.provider, req.fields
	if p == nil {
		s.refuse(rep, 15)
		return
	}
	numberOnly, ok := numberOnlyCheck(f.Get("REQ_TYPE"))
	if !ok {
		s.refuse(rep, 10)
		return
	}
	payer, amount, all, code := s.checkFields(p, f, numberOnly)
	if code == 0 {
		code = described(p, gateway.ReqCheck, f)
	}
	if code != 0 {
		s.refuse(rep, code)
		return
	}
	s.lockState()
	defer s.unlockState()
	now := s.clk.Now()
	s.settle(now) // REST counts the refunds due by now
	x := &session{ID: f.Get("SESSION"), Provider: p.Code, Gateway: req.rt.gw, Number: f.Get("NUMBER"),
		Account: f.Get("ACCOUNT"), Params: params(p, f), Payer: payer, Amount: amount, AmountAll: all, NumberOnly: numberOnly, CheckedAt: now,
		CheckRest: s.st.Balance}
	if code := s.openSession(x); code != 0 {
		s.refuse(rep, code)
		return
	}
	s.answerCheck(rep, p, x)
}

// numberOnlyCheck reads REQ_TYPE: "" or "0" checks the payer id and the
// amount, "1" the payer id only (a number-only check); ok is false for
// anything else (ERROR 10).
func numberOnlyCheck(reqType string) (numberOnly, ok bool) {
	switch reqType {
	case "", "0":
		return false, true
	case "1":
		return true, true
	}
	return false, false
}

// checkFields reads a check's payer id and, unless it is a number-only
// check, its amounts; code is the ERROR that refuses them: 8 or 9 (payer
// id), 23 (training code 023, not this operator's number), or those of
// amountsOf.
func (s *Sim) checkFields(p *gateway.Provider, f gateway.Fields, numberOnly bool) (payer string, amount, all money.Amount, code int) {
	payer, code = payerOf(p, f)
	if code == 0 && trainingCode(payer) == trainNotOperator {
		code = 23
	}
	if code == 0 && !numberOnly {
		amount, all, code = s.amountsOf(p, f)
	}
	return payer, amount, all, code
}

// openSession records x, a new session, and saves it; it returns the
// ERROR that refuses the check instead: 1 when the SESSION is known
// already, 48 when the state cannot be saved (nothing is recorded then).
// s.mu is held.
func (s *Sim) openSession(x *session) int {
	if _, dup := s.st.Sessions[x.ID]; dup {
		return 1
	}
	s.settle(x.CheckedAt)
	s.st.Sessions[x.ID] = x
	if err := s.st.save(x); err != nil {
		delete(s.st.Sessions, x.ID)
		s.log.Error("gateway sim: cannot save the state", "err", err)
		return 48
	}
	return 0
}

// answerCheck answers the check that opened session x: DATE the check's
// time, REST the balance then (x.CheckRest). It answers the check itself
// and, replayed, a pay of training code 511 or Faults.AnswerPayWithCheck.
func (s *Sim) answerCheck(rep *reply, p *gateway.Provider, x *session) {
	s.head(rep, x.CheckedAt)
	gw := strconv.Itoa(s.gwIndex[p.Code])
	rep.fields = append(rep.fields,
		gateway.Field{Name: "ERROR", Value: "0"},
		gateway.Field{Name: "RESULT", Value: "0"},
		gateway.Field{Name: "OPNAME", Value: opName(p)},
		gateway.Field{Name: "ACCOUNT", Value: x.Account},
		gateway.Field{Name: "ERRMSG", Value: ""},
		gateway.Field{Name: "AUTHCODE", Value: ""},
		gateway.Field{Name: "TRANSID", Value: ""},
		gateway.Field{Name: "ADDINFO", Value: addInfo(p, x.Payer)},
		gateway.Field{Name: "REST", Value: x.CheckRest.String()},
		gateway.Field{Name: "GATEWAY_IN", Value: gw},
		gateway.Field{Name: "GATEWAY_OUT", Value: gw},
	)
}

// pay answers a pay: it reads the request's payer id and amounts, holds
// them against the session's check, commits the payment, records it and
// answers with its TRANSID and AUTHCODE. A training number may fail the
// answer (500, or a refusal with ERROR 21 whose answer is lost, before the
// commit; drop, garble, bad signature, wrong SESSION or the check's answer
// after it), and training numbers and the faults may set the payment's
// fate (see markFate).
func (s *Sim) pay(req *request, rep *reply, faults Faults) {
	p, f := req.rt.provider, req.fields
	if p == nil {
		s.refuse(rep, 15)
		return
	}
	payer, amount, all, code := s.payFields(p, f)
	if code == 0 {
		code = described(p, gateway.ReqPay, f)
	}
	if code != 0 {
		s.refuse(rep, code)
		return
	}
	train := trainingCode(payer)
	s.lockState()
	defer s.unlockState()
	now := s.clk.Now()
	s.settle(now)
	x := s.st.Sessions[f.Get("SESSION")]
	if code := s.payRefusal(req, x, amount, all, now); code != 0 {
		s.refuse(rep, code)
		return
	}
	if train == trainHTTP500 {
		rep.fault = faultHTTP500
		return
	}
	if train == trainNotPaid21 || faults.NotPaid21 {
		s.loseRefusal(rep, x, 21)
		return
	}
	markFate(x, train, faults, now)
	undo := s.st.commit(x, all, now)
	if err := s.st.save(x); err != nil {
		// The payment is not taken when it cannot be recorded.
		undo()
		s.log.Error("gateway sim: cannot save the state", "err", err)
		s.refuse(rep, 41)
		return
	}
	if train == trainPayWithCheck || faults.AnswerPayWithCheck {
		s.answerCheck(rep, p, x) // the payment is made; the answer is the check's
		return
	}
	s.answerPay(rep, p, x, now)
	rep.fault = answerFault(train)
}

// loseRefusal refuses the pay of session x with ERROR code without
// committing anything, records the code for status (RESULT=1 with it) and
// drops the connection without an answer (training code 512,
// Faults.NotPaid21). When the code cannot be recorded status answers
// RESULT=1 ERROR=0, which says "not paid" as well. s.mu is held.
func (s *Sim) loseRefusal(rep *reply, x *session, code int) {
	prev := x.LostCode
	x.LostCode = code
	if err := s.st.save(x); err != nil {
		x.LostCode = prev
		s.log.Error("gateway sim: cannot save the state", "err", err)
	}
	rep.code, rep.fault = code, faultDrop
}

// payFields reads a pay's payer id and amounts; code is the ERROR that
// refuses them (those of payerOf, then of amountsOf).
func (s *Sim) payFields(p *gateway.Provider, f gateway.Fields) (payer string, amount, all money.Amount, code int) {
	payer, code = payerOf(p, f)
	if code == 0 {
		amount, all, code = s.amountsOf(p, f)
	}
	return payer, amount, all, code
}

// payRefusal returns the ERROR that refuses a pay of session x (nil when
// the SESSION is unknown) at now, or 0: 11 no such session or a
// number-only check, 37 another gateway or provider than the check, 1
// paid already, 17/18/19 NUMBER, AMOUNT or ACCOUNT differ from the check,
// 38 more than an hour after the check, 32 the same payment within the
// hour, 21 a balance below AMOUNT_ALL, 82 the day's debits over
// DailyLimit. s.mu is held.
func (s *Sim) payRefusal(req *request, x *session, amount, all money.Amount, now time.Time) int {
	f := req.fields
	switch {
	case x == nil || x.NumberOnly:
		return 11
	case x.Gateway != req.rt.gw || x.Provider != req.rt.provider.Code:
		return 37
	case x.paid():
		return 1
	case f.Get("NUMBER") != x.Number:
		return 17
	case amount != x.Amount:
		return 18
	case f.Get("ACCOUNT") != x.Account:
		return 19
	case !maps.Equal(params(req.rt.provider, f), x.Params):
		return 10 // a described field other than the number or account differs from the check's
	case now.Sub(x.CheckedAt) > time.Hour:
		return 38
	case s.dupWithinHour(x, now):
		return 32
	case s.st.Balance < all:
		return 21
	case s.overDaily(now, all):
		return 82
	}
	return 0
}

// overDaily reports whether debiting all at now goes over the daily limit.
func (s *Sim) overDaily(now time.Time, all money.Amount) bool {
	_, daily := s.limits()
	return daily > 0 && s.debitedOn(now)+all > daily
}

// debitedOn sums AMOUNT_ALL of the payments committed on now's day (in
// now's location) and not refunded. s.mu is held.
func (s *Sim) debitedOn(now time.Time) money.Amount {
	y, m, d := now.Date()
	var sum money.Amount
	for _, x := range s.st.Sessions {
		if !x.paid() || x.Refunded {
			continue
		}
		if py, pm, pd := x.PaidAt.In(now.Location()).Date(); py == y && pm == m && pd == d {
			sum += x.AmountAll
		}
	}
	return sum
}

// markFate marks x, about to be committed at now, to stay in progress for
// ever (training code 506, Faults.Stuck), to fail once the status delay
// has passed (507, Faults.FailAfterCommit) or right after one status answer
// RESULT=3 (509; Faults.FailAfterAccept answers), or to be denied by status
// with ERROR 11 (510, Faults.NeverRegistered), in that order of precedence;
// otherwise its fate stays as it is. Training code 508 and
// Faults.CreditAfter set when it stops being in progress instead of the
// status delay.
func markFate(x *session, train string, faults Faults, now time.Time) {
	switch {
	case train == trainStuck || faults.Stuck:
		x.Fate = fateStuck
	case train == trainFail || faults.FailAfterCommit:
		x.Fate = fateFail
	case train == trainFailAfterAccept:
		x.Fate, x.FailAfter = fateFail, 1
	case faults.FailAfterAccept > 0:
		x.Fate, x.FailAfter = fateFail, faults.FailAfterAccept
	case train == trainNeverRegistered || faults.NeverRegistered:
		x.Fate = fateUnregistered
	}
	switch {
	case train == trainCreditAfter:
		x.SettleAt = now.Add(TrainingCreditAfter)
	case faults.CreditAfter > 0:
		x.SettleAt = now.Add(faults.CreditAfter)
	}
}

// answerPay answers a pay that committed x at now.
func (s *Sim) answerPay(rep *reply, p *gateway.Provider, x *session, now time.Time) {
	s.head(rep, now)
	gw := strconv.Itoa(s.gwIndex[p.Code])
	rep.fields = append(rep.fields,
		gateway.Field{Name: "ERROR", Value: "0"},
		gateway.Field{Name: "RESULT", Value: "0"},
		gateway.Field{Name: "TRANSID", Value: x.TransID},
		gateway.Field{Name: "AUTHCODE", Value: x.AuthCode},
		gateway.Field{Name: "ERRMSG", Value: ""},
		gateway.Field{Name: "GATEWAY_IN", Value: gw},
		gateway.Field{Name: "GATEWAY_OUT", Value: gw},
	)
}

// answerFault is the fault a training code puts on the answer of a
// committed pay: 502 drop, 503 garble, 504 bad signature, 505 wrong
// SESSION; none for any other code.
func answerFault(train string) fault {
	switch train {
	case trainDrop:
		return faultDrop
	case trainGarble:
		return faultGarble
	case trainBadSignature:
		return faultBadSignature
	case trainWrongSession:
		return faultWrongSession
	}
	return faultNone
}

// dupWithinHour reports whether the same provider, payer id and AMOUNT were
// committed under another SESSION less than an hour before now.
func (s *Sim) dupWithinHour(x *session, now time.Time) bool {
	id, ok := s.st.latest[x.paymentKey()]
	if !ok || id == x.ID {
		return false
	}
	return now.Sub(s.st.Sessions[id].PaidAt) < time.Hour
}

func (s *Sim) status(req *request, rep *reply) {
	id := req.fields.Get("SESSION")
	s.lockState()
	defer s.unlockState()
	now := s.clk.Now()
	s.settle(now)
	x := s.st.Sessions[id]
	if x == nil || x.NumberOnly {
		s.refuse(rep, 11)
		return
	}
	if !x.paid() {
		// Only the check happened; LostCode says why a pay was refused.
		rep.code = x.LostCode
		msg := ""
		if x.LostCode != 0 {
			msg = safeText(gateway.Lookup(x.LostCode).Msg().In("ru"))
		}
		s.head(rep, x.CheckedAt)
		rep.fields = append(rep.fields,
			gateway.Field{Name: "ERROR", Value: strconv.Itoa(x.LostCode)},
			gateway.Field{Name: "RESULT", Value: "1"},
			gateway.Field{Name: "ERRMSG", Value: msg},
		)
		return
	}
	res, code := statusOf(x, now, s.cfg.StatusDelay)
	if res < 0 {
		// Never registered, although the money was taken.
		s.refuse(rep, code)
		return
	}
	if res == 3 && x.countsPolls() {
		s.countPoll(x, now)
	}
	rep.code = code
	msg := ""
	if code != 0 {
		msg = safeText(gateway.Lookup(code).Msg().In("ru"))
	}
	s.head(rep, x.PaidAt)
	rep.fields = append(rep.fields,
		gateway.Field{Name: "ERROR", Value: strconv.Itoa(code)},
		gateway.Field{Name: "RESULT", Value: strconv.Itoa(res)},
		gateway.Field{Name: "AUTHCODE", Value: x.AuthCode},
		gateway.Field{Name: "TRANSID", Value: x.TransID},
		gateway.Field{Name: "ERRMSG", Value: msg},
	)
}

func (s *Sim) balance(_ *request, rep *reply) {
	s.lockState()
	defer s.unlockState()
	now := s.clk.Now()
	s.settle(now)
	limit, daily := "", ""
	most, perDay := s.limits()
	if most > 0 {
		limit = most.String()
	}
	if perDay > 0 {
		daily = perDay.String()
	}
	s.head(rep, now)
	rep.fields = append(rep.fields,
		gateway.Field{Name: "ERROR", Value: "0"},
		gateway.Field{Name: "RESULT", Value: "0"},
		gateway.Field{Name: "REST", Value: s.st.Balance.String()},
		gateway.Field{Name: "REST_WO_LIMIT", Value: s.st.Balance.String()},
		gateway.Field{Name: "AP_DAILY_LIMIT", Value: daily},
		gateway.Field{Name: "AP_PAYMENT_LIMIT", Value: limit},
		gateway.Field{Name: "ERRMSG", Value: ""},
	)
}

// countPoll counts a status answer RESULT=3 for x, which fails after a
// number of them: once it has had them all it has failed, and it is
// refunded at once. The change is saved; s.mu is held.
func (s *Sim) countPoll(x *session, now time.Time) {
	x.Polls++
	changed := s.st.settle(now, s.cfg.StatusDelay)
	if !slices.Contains(changed, x) {
		changed = append(changed, x)
	}
	if err := s.st.save(changed...); err != nil {
		s.log.Error("gateway sim: cannot save the state", "err", err)
	}
}

// settle refunds the payments that failed by now and saves the state when
// that changed it; s.mu is held.
func (s *Sim) settle(now time.Time) {
	if refunded := s.st.settle(now, s.cfg.StatusDelay); len(refunded) > 0 {
		if err := s.st.save(refunded...); err != nil {
			s.log.Error("gateway sim: cannot save the state", "err", err)
		}
	}
}
