-- PayDesk schema, version 1. Times are Unix milliseconds (UTC); money is
-- integer kopecks; rates are basis points.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE cashiers (
    id           INTEGER PRIMARY KEY,
    login        TEXT NOT NULL UNIQUE,
    full_name    TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('cashier', 'manager', 'admin')),
    inn          TEXT NOT NULL DEFAULT '',
    pin_hash     TEXT NOT NULL,
    failed_pins  INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL
);

CREATE TABLE shifts (
    id            INTEGER PRIMARY KEY,
    opened_at     INTEGER NOT NULL,
    opened_by     INTEGER NOT NULL REFERENCES cashiers(id),
    opening_float INTEGER NOT NULL DEFAULT 0,
    device_shift  INTEGER NOT NULL DEFAULT 0,
    closed_at     INTEGER,
    closed_by     INTEGER REFERENCES cashiers(id),
    expected_cash INTEGER,
    counted_cash  INTEGER,
    difference    INTEGER
);
-- At most one open shift.
CREATE UNIQUE INDEX shifts_one_open ON shifts ((closed_at IS NULL)) WHERE closed_at IS NULL;

CREATE TABLE payments (
    id              INTEGER PRIMARY KEY,
    session         TEXT NOT NULL UNIQUE,
    shift_id        INTEGER NOT NULL REFERENCES shifts(id),
    cashier_id      INTEGER NOT NULL REFERENCES cashiers(id),
    provider_code   TEXT NOT NULL,
    provider_name   TEXT NOT NULL,
    payer_id        TEXT NOT NULL,
    amount          INTEGER NOT NULL DEFAULT 0,
    fee             INTEGER NOT NULL DEFAULT 0,
    total           INTEGER NOT NULL DEFAULT 0,
    commission_rate INTEGER NOT NULL DEFAULT 0,
    commission      INTEGER NOT NULL DEFAULT 0,
    pay_tool        INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    error_code      INTEGER NOT NULL DEFAULT 0,
    result          INTEGER NOT NULL DEFAULT -1,
    transid         TEXT NOT NULL DEFAULT '',
    authcode        TEXT NOT NULL DEFAULT '',
    opname          TEXT NOT NULL DEFAULT '',
    addinfo         TEXT NOT NULL DEFAULT '',
    message         TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    number_checked_at INTEGER,
    checked_at      INTEGER,
    pay_sent_at     INTEGER,
    resolved_at     INTEGER,
    status_attempts INTEGER NOT NULL DEFAULT 0,
    next_status_at  INTEGER,
    fiscal_state    TEXT NOT NULL DEFAULT '',
    fiscal_before   INTEGER,
    fiscal_error    TEXT NOT NULL DEFAULT '',
    fd              INTEGER,
    fp              INTEGER,
    fiscal_shift    INTEGER,
    receipt_no      INTEGER,
    fiscalized_at   INTEGER,
    slip_printed_at INTEGER
);
CREATE INDEX payments_state ON payments (state);
CREATE INDEX payments_fiscal ON payments (fiscal_state) WHERE fiscal_state IN ('queued', 'started');
CREATE INDEX payments_created ON payments (created_at);
CREATE INDEX payments_shift ON payments (shift_id);
CREATE INDEX payments_payer ON payments (payer_id);

CREATE TABLE cash_ops (
    id         INTEGER PRIMARY KEY,
    shift_id   INTEGER NOT NULL REFERENCES shifts(id),
    cashier_id INTEGER NOT NULL REFERENCES cashiers(id),
    kind       TEXT NOT NULL CHECK (kind IN ('in', 'out')),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    at         INTEGER NOT NULL,
    fd         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE receipts (
    id         INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL REFERENCES payments(id),
    kind       TEXT NOT NULL CHECK (kind IN ('fiscal', 'slip')),
    text       TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX receipts_payment ON receipts (payment_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
