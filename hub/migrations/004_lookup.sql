-- The code on a payment's slip with which the payer sees its state ("" when
-- the slip has none: the payment cannot be looked up).
ALTER TABLE payments ADD COLUMN lookup text NOT NULL DEFAULT '';
