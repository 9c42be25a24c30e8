-- Version 8: a shift is known by its number and when it opened. A desk
-- whose books were put back from a backup numbers its next shifts as it
-- did after the backup, so the same number can name a shift the hub holds
-- from before the books were put back (and was really worked) and a new
-- one; both are kept.
ALTER TABLE shifts DROP CONSTRAINT shifts_pkey;
ALTER TABLE shifts ADD PRIMARY KEY (point, id, opened_at);
