// Package sim is a CyberPlat-style payment gateway simulator: an
// http.Handler with the real URL layout (check, pay and status per provider
// from a gateway.Catalogue, and status/get_rest.cgi for the balance) that
// verifies every request with the registered dealer public keys, signs every
// answer with its bank key, keeps the dealer's balance and every session,
// and enforces what the real network enforces (see Sim.ServeHTTP for the
// ERROR codes). It serves cashier training (paydeskctl gateway-sim, the GUI's
// training mode) and every client test, offline.
//
// # Choices where the spec is silent
//
//   - A pay repeated with a SESSION that is already committed is answered
//     ERROR=1 RESULT=1 (session exists) and moves no money: the client must
//     learn the outcome through status, as spec §7 and §10 say for ERROR 1.
//   - A check refused with an ERROR creates no session (the same SESSION may
//     be checked again); a successful check, also REQ_TYPE=1, makes the
//     SESSION used for ever (a second check answers ERROR 1). A REQ_TYPE=1
//     session is not payable: pay and status answer ERROR 11 for it.
//   - A refused pay leaves the session checked-not-paid (status RESULT=1).
//   - ERROR 37: check and pay of one session must arrive at the same gateway
//     directory and provider code. Status is answered on any status URL.
//   - ERROR 81 compares AMOUNT with Config.MaxPayment, at check and at pay;
//     ERROR 21 compares AMOUNT_ALL (what is debited) with the balance, at
//     pay; ERROR 82 the day's AMOUNT_ALL with Config.DailyLimit, at pay; ERROR 85 when AMOUNT_ALL is less than AMOUNT; ERROR 32 at pay when
//     the same provider, payer id and AMOUNT were committed under another
//     SESSION less than an hour before.
//   - An unregistered key serial in the document header is ERROR 134; a
//     document that does not parse or whose signature fails is ERROR 6. A
//     body without inputmessage, fields that are not NAME=value, a missing
//     ACCEPT_KEYS or a missing or malformed DATE (check, pay) is ERROR 10.
//   - The answer is signed with the bank key whatever serial ACCEPT_KEYS
//     names (a client asking for another serial then fails to verify it);
//     "<serial>-sha256" selects SHA-256, anything else MD5.
//   - DATE in answers is Moscow time (UTC+3) from the injected clock.
//
// # Training numbers
//
// A payer id (NUMBER or ACCOUNT, whichever the provider uses) made of a 9 or
// a 0, at least three zeros and a three-digit code — for mobile providers
// 9000000ccc, for account providers zeros padded to the provider's length,
// such as 000000000ccc for Rostelecom or 0000000ccc for Mosenergo — behaves
// as follows (any other code, 9000000000 included, is an ordinary number):
//
//	code  behaviour
//	023   check refused with ERROR 23: the number is not this operator's
//	100   every answer for this id (check, pay, status) comes
//	      Config.TrainingLatency late
//	500   pay answered HTTP 500, nothing committed (status: RESULT=1)
//	502   pay committed, then the connection is dropped without an answer
//	503   pay committed, the answer is garbled
//	504   pay committed, the answer's signature does not verify
//	505   pay committed, the answer echoes another SESSION
//	506   pay committed, the payment stays in progress (RESULT=3) for ever
//	507   pay committed, then fails: after StatusDelay status answers RESULT=7
//	      with ERROR=23 and the balance gets AMOUNT_ALL back
//	508   pay accepted, then credited late: status answers RESULT=3 until
//	      TrainingCreditAfter (2 s on the simulator's clock) after the pay,
//	      whatever StatusDelay is, then RESULT=7 ERROR=0
//	509   pay accepted, then fails: the first status answers RESULT=3, and
//	      right after it the payment fails: the balance gets AMOUNT_ALL back
//	      and every later status answers RESULT=7 ERROR=23
//	510   pay accepted and the money taken, but the session never
//	      registered: every status answers ERROR=11 without RESULT; the
//	      balance is not given back (the network has the money)
//	511   pay committed (status RESULT=7 ERROR=0 after StatusDelay), but
//	      answered with the session's check answer, signed anew: OPNAME,
//	      ACCOUNT, ERRMSG, AUTHCODE, an empty TRANSID, ADDINFO, REST
//	512   pay refused with ERROR 21 and not committed (nothing taken), the
//	      connection dropped without an answer; status answers RESULT=1
//	      ERROR=21
//
// In 508–511 the pay is answered ERROR=0 RESULT=0 with a TRANSID (511: the
// check's answer instead) and the dealer's balance is debited AMOUNT_ALL at
// pay; 509 alone gives it back, when it fails. A pay repeated with the
// SESSION of 508–511 is answered ERROR=1 and takes nothing (510 included,
// although its status denies the session); one of 512 is lost as the first
// was. Each case is kept in the session's record (the state file), so a
// restarted simulator goes on with it: 508 at the same moment, 509 after
// the same count of status answers, 510 and 512 answering as before, 511
// replaying the check's REST as the check said it.
//
// The same failures can be injected for every request with Faults
// (508–512: CreditAfter, FailAfterAccept, NeverRegistered,
// AnswerPayWithCheck, NotPaid21).
package sim
