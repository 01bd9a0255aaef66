-- Assets (media files, identified by the SHA-256 of their bytes), what their metadata says
-- about people, manual reviews and publications. Not part of the signed event chain: the chain
-- proves consent; these tables are facts about files that can be re-read from the files.

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
    face_regions          INTEGER NOT NULL DEFAULT 0,
    release_status        TEXT,
    document_id           TEXT,
    original_document_id  TEXT,
    derived_from          TEXT,
    ingested_at           INTEGER NOT NULL            -- ms since 1970 UTC
) WITHOUT ROWID;
CREATE INDEX assets_by_document ON assets(document_id) WHERE document_id IS NOT NULL;

-- Where an asset has been seen; a moved or copied file is the same asset.
CREATE TABLE asset_paths (
    sha256    TEXT    NOT NULL REFERENCES assets(sha256),
    path      TEXT    NOT NULL,
    seen_at   INTEGER NOT NULL,
    PRIMARY KEY (sha256, path)
) WITHOUT ROWID;
CREATE INDEX asset_paths_by_path ON asset_paths(path);

-- Each person the file's metadata mentions, in file order. `label` is the name as written;
-- it is blanked when the person it names is erased (`name_digest` finds those rows without
-- storing another copy of the name).
CREATE TABLE mentions (
    sha256       TEXT    NOT NULL REFERENCES assets(sha256),
    ordinal      INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    label        TEXT,
    name_digest  BLOB,
    identifiers  TEXT    NOT NULL DEFAULT '[]',       -- JSON array
    region       TEXT,                                -- JSON {x, y, w, h}
    PRIMARY KEY (sha256, ordinal)
) WITHOUT ROWID;
CREATE INDEX mentions_by_digest ON mentions(name_digest) WHERE name_digest IS NOT NULL;

-- Manual reviews (`clearance tag`), append-only: who said what about an asset, and when.
CREATE TABLE reviews (
    id         INTEGER PRIMARY KEY,
    sha256     TEXT    NOT NULL REFERENCES assets(sha256),
    action     TEXT    NOT NULL CHECK (action IN ('person', 'not-person', 'no-people', 'service-users')),
    person_id  TEXT    REFERENCES people(id),
    by         TEXT    NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX reviews_by_asset ON reviews(sha256);
CREATE INDEX reviews_by_person ON reviews(person_id) WHERE person_id IS NOT NULL;

-- Every export: the source of takedown lists when someone withdraws.
CREATE TABLE publications (
    id             INTEGER PRIMARY KEY,
    sha256         TEXT    NOT NULL REFERENCES assets(sha256),
    output_sha256  TEXT    NOT NULL,
    channel        TEXT    NOT NULL,
    path           TEXT    NOT NULL,
    post_url       TEXT,
    consents       TEXT    NOT NULL DEFAULT '[]',     -- JSON array of references relied on
    by             TEXT    NOT NULL,
    at             INTEGER NOT NULL
);
CREATE INDEX publications_by_asset ON publications(sha256);
