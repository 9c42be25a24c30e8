-- Version 5: a payment's whole life. Accepted and disputed payments, and a
-- failed payment's refund: the return receipt's progress (refund_state:
-- '' none, 'due', 'started', 'done'), the device's last document before it
-- was started, its document and sign, when and in which shift the cash went
-- back. Every status answer applied to a payment is kept (answers): the
-- evidence a manager decides a dispute on. Receipts keep the return receipt
-- and its slip beside the sale's.
ALTER TABLE payments ADD COLUMN refund_state TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN refund_before INTEGER;
ALTER TABLE payments ADD COLUMN refund_error TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN refund_fd INTEGER;
ALTER TABLE payments ADD COLUMN refund_fp INTEGER;
ALTER TABLE payments ADD COLUMN refunded_at INTEGER;
ALTER TABLE payments ADD COLUMN refund_shift_id INTEGER REFERENCES shifts(id);
CREATE INDEX payments_refund ON payments (refund_state) WHERE refund_state IN ('due', 'started');

CREATE TABLE answers (
    id         INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL REFERENCES payments(id),
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    op         TEXT NOT NULL,
    error      INTEGER NOT NULL,
    result     INTEGER NOT NULL,
    transid    TEXT NOT NULL
);
CREATE INDEX answers_payment ON answers (payment_id);

CREATE TABLE receipts_new (
    id         INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL REFERENCES payments(id),
    kind       TEXT NOT NULL CHECK (kind IN ('fiscal', 'slip', 'return', 'return_slip')),
    text       TEXT NOT NULL,
    at         INTEGER NOT NULL
);
INSERT INTO receipts_new (id, payment_id, kind, text, at) SELECT id, payment_id, kind, text, at FROM receipts;
DROP TABLE receipts;
ALTER TABLE receipts_new RENAME TO receipts;
CREATE INDEX receipts_payment ON receipts (payment_id);
