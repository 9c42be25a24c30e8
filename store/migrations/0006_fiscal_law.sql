-- Version 6: fiscal law as it stands. A cashier's position goes into tag
-- 1021 with the name; a payment may carry the payer's phone or e-mail for
-- an electronic receipt (tag 1008).
ALTER TABLE cashiers ADD COLUMN position TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN buyer TEXT NOT NULL DEFAULT '';
