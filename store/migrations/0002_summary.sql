-- Version 2: a summary of paid payments by local day, provider and cashier,
-- kept in the same transaction as the payment, so commission reports over
-- millions of payments read thousands of rows.
CREATE TABLE paid_summary (
    day           TEXT NOT NULL,
    provider_code TEXT NOT NULL,
    cashier_id    INTEGER NOT NULL REFERENCES cashiers(id),
    shift_id      INTEGER NOT NULL REFERENCES shifts(id),
    count         INTEGER NOT NULL,
    amount        INTEGER NOT NULL,
    fee           INTEGER NOT NULL,
    total         INTEGER NOT NULL,
    commission    INTEGER NOT NULL,
    PRIMARY KEY (day, provider_code, cashier_id, shift_id)
);
ALTER TABLE payments ADD COLUMN paid_day TEXT;
INSERT INTO paid_summary (day, provider_code, cashier_id, shift_id, count, amount, fee, total, commission)
    SELECT strftime('%Y-%m-%d', resolved_at / 1000, 'unixepoch', 'localtime'), provider_code, cashier_id, shift_id,
           count(*), sum(amount), sum(fee), sum(total), sum(commission)
    FROM payments WHERE state = 'paid'
    GROUP BY 1, 2, 3, 4;
UPDATE payments SET paid_day = strftime('%Y-%m-%d', resolved_at / 1000, 'unixepoch', 'localtime') WHERE state = 'paid';
