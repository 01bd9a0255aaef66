-- The consent ledger. `events` is the append-only, hash-chained, signed record; every other
-- table except `instance` and `person_keys` is derived from it and checked by `clearance verify`.
-- Personal data appears only as AES-GCM ciphertext under a per-person key in `person_keys`;
-- erasing a person deletes that key (with secure_delete on), which makes the ciphertext useless.

CREATE TABLE instance (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    public_key  BLOB    NOT NULL CHECK (length(public_key) = 32),   -- Ed25519, signs every event
    index_key   BLOB    NOT NULL CHECK (length(index_key) = 32),    -- HMAC key for the name index
    created_at  INTEGER NOT NULL                                    -- ms since 1970 UTC
);

CREATE TABLE events (
    seq          INTEGER PRIMARY KEY,          -- 1, 2, 3… with no gaps
    kind         TEXT    NOT NULL,
    person_id    TEXT    NOT NULL,
    consent_ref  TEXT,
    created_at   INTEGER NOT NULL,             -- ms since 1970 UTC
    payload      BLOB    NOT NULL,             -- canonical JSON (sorted keys)
    prev_hash    BLOB    NOT NULL CHECK (length(prev_hash) = 32),
    hash         BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
    signature    BLOB    NOT NULL CHECK (length(signature) = 64)
);
CREATE INDEX events_by_person ON events(person_id);

CREATE TABLE people (
    id              TEXT    PRIMARY KEY,
    sealed          BLOB,                      -- encrypted PersonalData; NULL once erased
    service_user    INTEGER NOT NULL CHECK (service_user IN (0, 1)),
    elected_member  INTEGER NOT NULL CHECK (elected_member IN (0, 1)),
    staff           INTEGER NOT NULL CHECK (staff IN (0, 1)),
    added_seq       INTEGER NOT NULL REFERENCES events(seq),
    added_at        INTEGER NOT NULL,
    erased_seq      INTEGER REFERENCES events(seq),
    erased_at       INTEGER
) WITHOUT ROWID;

-- One AES-256-GCM key per person. Not derived from events (it must be destroyable); verify
-- checks that exactly the people not erased have one and that it opens their data.
CREATE TABLE person_keys (
    person_id  TEXT PRIMARY KEY REFERENCES people(id),
    key        BLOB NOT NULL CHECK (length(key) = 32)
) WITHOUT ROWID;

-- HMAC-SHA256(index_key, folded name) for each name and alias: exact, case- and
-- accent-insensitive lookup without storing names. Rows are deleted on erasure.
CREATE TABLE name_index (
    digest     BLOB NOT NULL CHECK (length(digest) = 32),
    person_id  TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (digest, person_id)
) WITHOUT ROWID;

CREATE TABLE consents (
    reference              TEXT    PRIMARY KEY,
    person_id              TEXT    NOT NULL REFERENCES people(id),
    version                INTEGER NOT NULL CHECK (version >= 1),
    supersedes             TEXT    REFERENCES consents(reference),
    superseded_by          TEXT,
    state                  TEXT    NOT NULL CHECK (state IN ('active', 'withdrawn', 'superseded', 'erased')),
    channels               TEXT    NOT NULL,   -- sorted, comma-separated
    purposes               TEXT    NOT NULL,   -- JSON array
    event                  TEXT,
    form_version           TEXT    NOT NULL,
    method                 TEXT    NOT NULL CHECK (method IN ('tablet', 'paper', 'qr', 'verbal')),
    recorded_by            TEXT    NOT NULL,
    given_at               TEXT    NOT NULL,   -- YYYY-MM-DD
    expires_at             TEXT    NOT NULL,   -- YYYY-MM-DD
    guardian_relationship  TEXT,
    signature_sha256       TEXT,
    sealed                 BLOB,               -- encrypted ConsentPrivateDetails; NULL once erased
    recorded_seq           INTEGER NOT NULL REFERENCES events(seq),
    recorded_at            INTEGER NOT NULL,
    withdrawn_at           INTEGER,
    withdrawal_via         TEXT,
    withdrawn_by           TEXT,
    withdrawal_note        BLOB,               -- encrypted note; NULL when none or erased
    withdrawn_seq          INTEGER REFERENCES events(seq),
    erased_at              INTEGER
) WITHOUT ROWID;
CREATE INDEX consents_by_person ON consents(person_id);
