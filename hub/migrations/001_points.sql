-- Partners, their points (with each point's registered IPRIV public key and
-- the last event sequence number applied) and the people who sign in.
CREATE TABLE partners (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE points (
    id         text PRIMARY KEY,
    partner    text NOT NULL REFERENCES partners (id),
    name       text NOT NULL,
    tz         text NOT NULL,            -- the point's time zone: the day of its reports
    key_serial bigint NOT NULL,          -- the IPRIV key's serial
    public_key bytea NOT NULL,           -- the public key file (NS documents) as registered
    last_seq   bigint NOT NULL DEFAULT 0, -- the last event applied, in the desk's order
    last_seen  timestamptz,              -- when the last batch came
    created_at timestamptz NOT NULL
);
CREATE INDEX points_partner ON points (partner);

CREATE TABLE users (
    login         text PRIMARY KEY,
    role          text NOT NULL CHECK (role IN ('partner', 'manager')),
    partner       text NOT NULL REFERENCES partners (id),
    point         text REFERENCES points (id), -- a point manager's one point
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL,
    CHECK ((role = 'manager') = (point IS NOT NULL))
);
