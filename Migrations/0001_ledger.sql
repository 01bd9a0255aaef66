-- Owned by the Ledger module; replaced by the ledger schema.
CREATE TABLE IF NOT EXISTS ledger_placeholder(id INTEGER PRIMARY KEY);
