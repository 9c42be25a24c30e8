-- Version 11: the code with which the payer looks a payment up on the hub
-- (its address is printed on the slip), fixed at entry; '' without a hub.
ALTER TABLE payments ADD COLUMN lookup TEXT NOT NULL DEFAULT '';
