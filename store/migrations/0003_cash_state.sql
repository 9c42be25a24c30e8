-- Version 3: cash operations are recorded before the device makes them
-- (state 'started', with the device's document number before), finished
-- with the document the device made ('done') or voided when it made none.
-- The opening float's registration on the device is an operation too.
CREATE TABLE cash_ops_new (
    id         INTEGER PRIMARY KEY,
    shift_id   INTEGER NOT NULL REFERENCES shifts(id),
    cashier_id INTEGER NOT NULL REFERENCES cashiers(id),
    kind       TEXT NOT NULL CHECK (kind IN ('in', 'out', 'float')),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    at         INTEGER NOT NULL,
    fd         INTEGER NOT NULL DEFAULT 0,
    state      TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('started', 'done', 'void')),
    doc_before INTEGER NOT NULL DEFAULT -1
);
INSERT INTO cash_ops_new (id, shift_id, cashier_id, kind, amount, at, fd)
    SELECT id, shift_id, cashier_id, kind, amount, at, fd FROM cash_ops;
DROP TABLE cash_ops;
ALTER TABLE cash_ops_new RENAME TO cash_ops;
CREATE INDEX cash_ops_shift ON cash_ops (shift_id);
CREATE INDEX cash_ops_started ON cash_ops (state) WHERE state = 'started';
