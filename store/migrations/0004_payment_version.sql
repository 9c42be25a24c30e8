-- Version 4: every payment row carries a version, raised by each step, so a
-- step is written only over the row it was decided on (compare-and-set): a
-- second actor holding an older copy is refused, never applied on top.
ALTER TABLE payments ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
