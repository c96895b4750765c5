-- The common head of the hand-written test traces of tests/t1NNN-*.sh: the contract's
-- tables as a foreign writer would create them (no project extras), kind ids that are
-- deliberately unusual (readers resolve kinds by name), meta for a 2-core SMT4 host.
-- Each test appends its VMs and events.
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE vm(id INTEGER PRIMARY KEY, name TEXT, pid INTEGER, lpid INTEGER);
CREATE TABLE event_kind(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, a0 TEXT, a1 TEXT, a2 TEXT, a3 TEXT);
CREATE TABLE event(ts INTEGER NOT NULL, cpu INTEGER NOT NULL, vm INTEGER NOT NULL, vcpu INTEGER,
  kind INTEGER NOT NULL REFERENCES event_kind(id), a0 INTEGER, a1 INTEGER, a2 INTEGER, a3 INTEGER);
INSERT INTO event_kind VALUES (101,'vcpu_create',NULL,NULL,NULL,NULL), (102,'guest_enter',NULL,NULL,NULL,NULL),
  (103,'guest_exit','trap',NULL,NULL,NULL), (104,'hcall','opcode','flags','n','rc'),
  (105,'host_inval','n','reason',NULL,NULL), (106,'hpt_reset',NULL,NULL,NULL,NULL),
  (107,'migrate','orig_cpu',NULL,NULL,NULL), (108,'lost','count',NULL,NULL,NULL);
INSERT INTO meta VALUES ('schema_version','1'), ('source','generated'), ('threads_per_core','4'), ('ncpus','8');
