-- Version 7: the ingest no longer moves the summary rows itself. In the
-- transaction that writes a payment's state it appends what the change
-- does to the summaries (a row of summary_deltas, pre-summed per
-- transaction), and a fold moves the deltas into the daily and monthly
-- summaries in one transaction (Hub.Fold), many batches' worth at a time.
-- Reports read the summaries and the deltas not yet folded, so they are
-- exact at every moment.
CREATE TABLE summary_deltas (
    point      text NOT NULL,
    day        date NOT NULL,
    provider   text NOT NULL,
    cashier    text NOT NULL,
    count      bigint NOT NULL,
    amount     bigint NOT NULL,
    fee        bigint NOT NULL,
    commission bigint NOT NULL
);

-- The payments' and summaries' references to their point were checked
-- row by row (a trigger per row: a third of the payments' write). The
-- ingest writes them only under a lock on the point's row, which it has
-- just read, so the point exists; what the reference also kept, that a
-- point with payments cannot be deleted or renamed, this trigger keeps.
ALTER TABLE payments DROP CONSTRAINT payments_point_fkey;
ALTER TABLE summaries DROP CONSTRAINT summaries_point_fkey;
ALTER TABLE summaries_month DROP CONSTRAINT summaries_month_point_fkey;

CREATE FUNCTION points_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM payments WHERE point = OLD.id)
       OR EXISTS (SELECT 1 FROM summary_deltas WHERE point = OLD.id) THEN
        RAISE EXCEPTION 'point % has payments', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER points_keep BEFORE DELETE OR UPDATE OF id ON points
    FOR EACH ROW EXECUTE FUNCTION points_keep();
