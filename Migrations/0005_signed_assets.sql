-- Everything the gate relies on is bound to the signed chain (issue 12).
--
-- 1. `events` gains an `asset` subject and may have no person (asset, review, publication and
--    takedown events are about an asset; `ledger.*` events about the instance). A payload must be
--    a BLOB, so it reads back as exactly the bytes stored (a TEXT value with a NUL inside reads
--    back shorter than it is stored); `verify` reads every column of every table byte for byte.
-- 2. The asset tables and the name index are rebuilt: their rows are now derived from events
--    (assets, mentions, reviews, publications, takedowns) or sealed with a MAC under the instance
--    key (name index, document index, paths). The rows written by earlier versions are kept in
--    `legacy_*` tables until the ledger is next opened with its key file, when Clearance binds
--    them with signed events (`ledger.upgraded`) and drops these tables. Until then the gate
--    treats those assets as unconfirmed (`record-tampered`), never as trusted.

-- The old rows, set aside. Their indexes go: the new tables reuse the names.
DROP INDEX assets_by_document;
DROP INDEX asset_paths_by_path;
DROP INDEX mentions_by_digest;
DROP INDEX reviews_by_asset;
DROP INDEX reviews_by_person;
DROP INDEX publications_by_asset;
DROP INDEX takedowns_by_person;
ALTER TABLE takedowns RENAME TO legacy_takedowns;
ALTER TABLE publications RENAME TO legacy_publications;
ALTER TABLE reviews RENAME TO legacy_reviews;
ALTER TABLE mentions RENAME TO legacy_mentions;
ALTER TABLE asset_paths RENAME TO legacy_asset_paths;
ALTER TABLE assets RENAME TO legacy_assets;
ALTER TABLE name_index RENAME TO legacy_name_index;

-- `events`, rebuilt with its rows (hashes are unchanged: see EventChain).
CREATE TABLE events_v5 (
    seq          INTEGER PRIMARY KEY,                 -- 1, 2, 3… with no gaps
    kind         TEXT    NOT NULL,
    person_id    TEXT,                                -- person and consent events
    consent_ref  TEXT,
    asset        TEXT    CHECK (asset IS NULL OR length(asset) = 64),   -- asset, review, publication, takedown events
    created_at   INTEGER NOT NULL,                    -- ms since 1970 UTC
    payload      BLOB    NOT NULL CHECK (typeof(payload) = 'blob'),     -- canonical JSON (sorted keys)
    prev_hash    BLOB    NOT NULL CHECK (length(prev_hash) = 32),
    hash         BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
    signature    BLOB    NOT NULL CHECK (length(signature) = 64),
    mac          BLOB    CHECK (mac IS NULL OR length(mac) = 32)
);
INSERT INTO events_v5 (seq, kind, person_id, consent_ref, asset, created_at, payload, prev_hash, hash, signature, mac)
    SELECT seq, kind, person_id, consent_ref, NULL, created_at, CAST(payload AS BLOB), prev_hash, hash, signature, mac
    FROM events ORDER BY seq;
DROP TABLE events;
ALTER TABLE events_v5 RENAME TO events;
CREATE INDEX events_by_person ON events(person_id) WHERE person_id IS NOT NULL;
CREATE INDEX events_by_consent ON events(consent_ref) WHERE consent_ref IS NOT NULL;
CREATE INDEX events_by_asset ON events(asset) WHERE asset IS NOT NULL;

-- What ingest read from each file, as its `asset.ingested` event says.
CREATE TABLE assets (
    sha256                TEXT    PRIMARY KEY CHECK (length(sha256) = 64),
    kind                  TEXT    CHECK (kind IN ('image', 'video')),
    format                TEXT,
    readable              INTEGER NOT NULL CHECK (readable IN (0, 1)),
    error                 TEXT,
    captured_at           TEXT,
    width                 INTEGER,
    height                INTEGER,
    orientation           INTEGER,
    face_regions          INTEGER NOT NULL,
    release_status        TEXT,
    document_id           TEXT,
    original_document_id  TEXT,
    derived_from          TEXT,
    ingested_seq          INTEGER NOT NULL REFERENCES events(seq),
    ingested_at           INTEGER NOT NULL            -- ms since 1970 UTC; for adopted rows, the original time
) WITHOUT ROWID;
CREATE INDEX assets_by_document ON assets(document_id) WHERE document_id IS NOT NULL;
CREATE INDEX assets_by_ingest ON assets(ingested_at, sha256);

-- Each person the file's metadata mentions, in file order. The event holds, per mention, its
-- source and region in clear and a salted commitment (SHA-256) to `label` and `identifiers`;
-- the salt lives only here. Erasure blanks the label, identifiers, digest and salt (recorded by an
-- `asset.mentions-forgotten` event), after which the commitment can no longer be opened or guessed.
CREATE TABLE mentions (
    sha256       TEXT    NOT NULL REFERENCES assets(sha256),
    ordinal      INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    label        TEXT,
    name_digest  BLOB,                                 -- HMAC of the folded label under the index key
    identifiers  TEXT    NOT NULL,                     -- JSON array
    region       TEXT,                                 -- JSON [x, y, w, h]
    salt         BLOB    CHECK (salt IS NULL OR length(salt) = 16),
    PRIMARY KEY (sha256, ordinal)
) WITHOUT ROWID;
CREATE INDEX mentions_by_digest ON mentions(name_digest) WHERE name_digest IS NOT NULL;

-- Where an asset has been seen. Not trusted for any verdict (a check hashes the file it is
-- given; an export hashes its source before copying it); each row carries a MAC under the
-- instance key so that `verify` notices an edited or copied row.
CREATE TABLE asset_paths (
    sha256    TEXT    NOT NULL REFERENCES assets(sha256),
    path      TEXT    NOT NULL,
    seen_at   INTEGER NOT NULL,                        -- first seen there
    mac       BLOB    NOT NULL CHECK (length(mac) = 32),
    PRIMARY KEY (sha256, path)
) WITHOUT ROWID;
CREATE INDEX asset_paths_by_path ON asset_paths(path);

-- Manual reviews (`clearance tag`): one row per `asset.reviewed` event, keyed by its sequence number.
CREATE TABLE reviews (
    id         INTEGER PRIMARY KEY REFERENCES events(seq),
    sha256     TEXT    NOT NULL REFERENCES assets(sha256),
    action     TEXT    NOT NULL CHECK (action IN ('person', 'not-person', 'no-people', 'service-users')),
    person_id  TEXT    REFERENCES people(id),
    by         TEXT    NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX reviews_by_asset ON reviews(sha256);
CREATE INDEX reviews_by_person ON reviews(person_id) WHERE person_id IS NOT NULL;

-- Every export: one row per `asset.published` event, keyed by its sequence number.
CREATE TABLE publications (
    id             INTEGER PRIMARY KEY REFERENCES events(seq),
    sha256         TEXT    NOT NULL REFERENCES assets(sha256),
    output_sha256  TEXT    NOT NULL,
    channel        TEXT    NOT NULL,
    path           TEXT    NOT NULL,
    post_url       TEXT,
    consents       TEXT    NOT NULL,                   -- JSON array of references relied on
    by             TEXT    NOT NULL,
    at             INTEGER NOT NULL
);
CREATE INDEX publications_by_asset ON publications(sha256);

-- Takedown items (`T-<id>`), from `takedown.opened` and `takedown.closed` events. No foreign key
-- to `publications`: an item is opened from the signed publication event even when its row is
-- missing, and `verify` reports the missing row.
CREATE TABLE takedowns (
    id              INTEGER PRIMARY KEY,
    sha256          TEXT    NOT NULL,
    publication_id  INTEGER NOT NULL,
    person_id       TEXT    NOT NULL,
    cause           TEXT    NOT NULL CHECK (cause IN ('withdrawal', 'erasure')),
    consent_ref     TEXT,
    kind            TEXT    NOT NULL CHECK (kind IN ('takedown', 'do-not-reprint')),
    opened_at       INTEGER NOT NULL,
    due_on          TEXT,
    done_at         INTEGER,
    done_by         TEXT,
    done_note       TEXT,
    CHECK ((done_at IS NULL) = (done_by IS NULL)),
    CHECK (kind = 'takedown' OR done_at IS NULL)
);
CREATE INDEX takedowns_by_person ON takedowns(person_id);
CREATE INDEX takedowns_by_asset ON takedowns(sha256);

-- One row per folded name (its HMAC under the index key) with every registered, not erased
-- person who has that name or alias, and a MAC under the instance key over both: a changed,
-- moved or shortened list fails its MAC, so a check notices a namesake removed from it. A row
-- deleted outright makes the name unknown, which blocks.
CREATE TABLE name_index (
    digest   BLOB PRIMARY KEY CHECK (length(digest) = 32),
    people   TEXT NOT NULL,                            -- JSON array of person ids, sorted
    mac      BLOB NOT NULL CHECK (length(mac) = 32)
) WITHOUT ROWID;

-- For each xmpMM document id that an ingested asset has or points at (an edited copy's
-- original), the assets whose DocumentID it is, with a MAC. An entry exists for every id an
-- asset points at, even when no asset has it yet, so a deleted entry is noticed, not taken as
-- "no original".
CREATE TABLE document_index (
    document_id  TEXT PRIMARY KEY,
    assets       TEXT NOT NULL,                        -- JSON array of SHA-256s, sorted
    mac          BLOB NOT NULL CHECK (length(mac) = 32)
) WITHOUT ROWID;
