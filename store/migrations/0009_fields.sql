-- Version 9: a provider the network describes field by field (an account,
-- a period, a meter reading) has what the cashier typed kept with the
-- payment, as a JSON object of field id to checked value, fixed at entry;
-- and the commission schedule's rules that applied (the point's fee and the
-- partner's commission) are kept as they read when the amount was quoted.
ALTER TABLE payments ADD COLUMN fields TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN fee_rule TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN commission_rule TEXT NOT NULL DEFAULT '';
-- The commission report by rule reads the paid payments of its days.
CREATE INDEX payments_paid_day ON payments (paid_day) WHERE paid_day IS NOT NULL;
