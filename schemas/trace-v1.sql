-- tlbreplay trace database, schema version 1 (executable form of the contract in
-- the project's spec, trace-schema-v1.md). Running this on an empty file gives a
-- valid, empty trace database. Every statement is idempotent (IF NOT EXISTS / OR
-- IGNORE) so that it can also complete a foreign file that lacks the optional parts.
--
-- Readers resolve kinds BY NAME through event_kind: ids are per file.
-- Replay order is ORDER BY ts, rowid. Producers of this project write rows in that
-- order and then set meta event_order='ts', which lets readers scan in rowid order.

CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vm(id INTEGER PRIMARY KEY, name TEXT, pid INTEGER, lpid INTEGER);
CREATE TABLE IF NOT EXISTS vcpu(vm INTEGER NOT NULL, id INTEGER NOT NULL, tid INTEGER,
                                name TEXT, PRIMARY KEY (vm, id));
-- Optional: each VM's MMU when the producer knows it ('hash': HPT guests; 'radix': radix
-- guests, POWER9 and later). A VM without a row, or a file without the table: unknown.
-- tlbreplay replays a policy only on the VMs of its MMU when this says which.
CREATE TABLE IF NOT EXISTS vm_mmu(vm INTEGER PRIMARY KEY,
                                  mmu TEXT NOT NULL CHECK (mmu IN ('hash', 'radix')));
CREATE TABLE IF NOT EXISTS event_kind(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                                      a0 TEXT, a1 TEXT, a2 TEXT, a3 TEXT);
CREATE TABLE IF NOT EXISTS event(
    ts   INTEGER NOT NULL,          -- nanoseconds since the capture started
    cpu  INTEGER NOT NULL,          -- host hardware thread, -1 if unknown
    vm   INTEGER NOT NULL,          -- vm.id, 0 for events of no VM (e.g. lost)
    vcpu INTEGER,                   -- guest vcpu id, NULL if none
    kind INTEGER NOT NULL REFERENCES event_kind(id),
    a0 INTEGER, a1 INTEGER, a2 INTEGER, a3 INTEGER);

-- The kinds of the contract (names and argument names are the interface).
INSERT OR IGNORE INTO event_kind(id, name, a0, a1, a2, a3) VALUES
    (1, 'vcpu_create', NULL,        NULL,     NULL, NULL),
    (2, 'guest_enter', NULL,        NULL,     NULL, NULL),
    (3, 'guest_exit',  'trap',      NULL,     NULL, NULL),
    (4, 'hcall',       'opcode',    'flags',  'n',  'rc'),
    (5, 'host_inval',  'n',         'reason', NULL, NULL),
    (6, 'hpt_reset',   NULL,        NULL,     NULL, NULL),
    (7, 'migrate',     'orig_cpu',  NULL,     NULL, NULL),
    (8, 'lost',        'count',     NULL,     NULL, NULL),
    (9, 'kernel_flush', NULL,       NULL,     NULL, NULL);

-- Kinds this project adds (kept for analysis; the v1 replay counts and skips them).
INSERT OR IGNORE INTO event_kind(id, name, a0, a1, a2, a3) VALUES
    (16, 'vcore_run',   'runner_vcpu', 'n_runnable', 'where', 'tgid'),
    (17, 'page_fault',  'ea',          'ret',        NULL,    NULL);

-- One readable view per kind.
CREATE VIEW IF NOT EXISTS vcpu_creation AS
    SELECT e.rowid AS id, ts, cpu, vm, vcpu FROM event e JOIN event_kind k ON e.kind = k.id
    WHERE k.name = 'vcpu_create';
CREATE VIEW IF NOT EXISTS guest_entry AS
    SELECT e.rowid AS id, ts, cpu, vm, vcpu FROM event e JOIN event_kind k ON e.kind = k.id
    WHERE k.name = 'guest_enter';
CREATE VIEW IF NOT EXISTS guest_exit AS
    SELECT e.rowid AS id, ts, cpu, vm, vcpu, e.a0 AS trap FROM event e
    JOIN event_kind k ON e.kind = k.id WHERE k.name = 'guest_exit';
CREATE VIEW IF NOT EXISTS hcall AS
    SELECT e.rowid AS id, ts, cpu, vm, vcpu, e.a0 AS opcode, e.a1 AS flags, e.a2 AS n, e.a3 AS rc
    FROM event e JOIN event_kind k ON e.kind = k.id WHERE k.name = 'hcall';
CREATE VIEW IF NOT EXISTS host_invalidation AS
    SELECT e.rowid AS id, ts, cpu, vm, e.a0 AS n, e.a1 AS reason FROM event e
    JOIN event_kind k ON e.kind = k.id WHERE k.name = 'host_inval';
CREATE VIEW IF NOT EXISTS hpt_reset AS
    SELECT e.rowid AS id, ts, cpu, vm FROM event e JOIN event_kind k ON e.kind = k.id
    WHERE k.name = 'hpt_reset';
CREATE VIEW IF NOT EXISTS migration AS
    SELECT e.rowid AS id, ts, cpu AS dest_cpu, vm, vcpu, e.a0 AS orig_cpu FROM event e
    JOIN event_kind k ON e.kind = k.id WHERE k.name = 'migrate';
CREATE VIEW IF NOT EXISTS lost_events AS
    SELECT e.rowid AS id, ts, cpu, e.a0 AS count FROM event e JOIN event_kind k ON e.kind = k.id
    WHERE k.name = 'lost';

-- Results of tlbreplay --store (replay-model.md, "Stored results").
-- A run is one policy under one machine and parameter set over one trace digest.
CREATE TABLE IF NOT EXISTS replay_run(
    id           INTEGER PRIMARY KEY,
    policy       TEXT NOT NULL,
    machine      TEXT NOT NULL,
    params       TEXT NOT NULL,      -- every parameter in force, as JSON
    trace_digest TEXT NOT NULL,      -- digest of the events replayed
    tool_version TEXT NOT NULL,
    created      TEXT NOT NULL,      -- ISO 8601, UTC
    bucket_ns    INTEGER,            -- width of the replay_series buckets
    UNIQUE (policy, params, trace_digest));
CREATE TABLE IF NOT EXISTS replay_total(
    run INTEGER NOT NULL REFERENCES replay_run(id) ON DELETE CASCADE,
    vm  INTEGER NOT NULL,            -- vm.id; -1 is the "all" row
    events INTEGER NOT NULL, guest_entries INTEGER NOT NULL, hcalls INTEGER NOT NULL,
    full_flushes INTEGER NOT NULL, tlbiel_flush INTEGER NOT NULL,
    tlbiel_inval INTEGER NOT NULL, local_seqs INTEGER NOT NULL,
    tlbie INTEGER NOT NULL, tlbie_seqs INTEGER NOT NULL, cycles INTEGER NOT NULL,
    stale_exposures INTEGER NOT NULL,
    PRIMARY KEY (run, vm));
CREATE TABLE IF NOT EXISTS replay_series(
    run INTEGER NOT NULL REFERENCES replay_run(id) ON DELETE CASCADE,
    vm  INTEGER NOT NULL,            -- vm.id; -1 is the "all" row
    bucket_ns INTEGER NOT NULL,      -- start of the bucket, ns since capture start
    events INTEGER NOT NULL, guest_entries INTEGER NOT NULL, hcalls INTEGER NOT NULL,
    full_flushes INTEGER NOT NULL, tlbiel_flush INTEGER NOT NULL,
    tlbiel_inval INTEGER NOT NULL, local_seqs INTEGER NOT NULL,
    tlbie INTEGER NOT NULL, tlbie_seqs INTEGER NOT NULL, cycles INTEGER NOT NULL,
    stale_exposures INTEGER NOT NULL,
    PRIMARY KEY (run, vm, bucket_ns));
CREATE TABLE IF NOT EXISTS replay_hazard(
    run INTEGER NOT NULL REFERENCES replay_run(id) ON DELETE CASCADE,
    ts INTEGER NOT NULL, vm INTEGER NOT NULL, vcpu INTEGER, core INTEGER NOT NULL,
    marked_ts INTEGER NOT NULL);     -- time of the invalidation/reset that made it stale
CREATE INDEX IF NOT EXISTS replay_hazard_run ON replay_hazard(run, ts);

INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '1');
