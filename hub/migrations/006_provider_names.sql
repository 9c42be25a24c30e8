-- Version 6: the providers' names as the desks' catalogues give them, the
-- latest one kept, so that reports name a provider rather than its code.
CREATE TABLE provider_names (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    updated_at timestamptz NOT NULL
);
