-- Five policies on one VM, written by hand (tests t5110+), applied on top of
-- schemas/trace-v1.sql. The replay's new names (tracked, optimal) and params
-- (threads_per_core_source) as replay-model.md gives them; every figure follows
-- the cost formulas with the power7 costs:
--   full flush 22660 (100 + 128 x 20 + 20000), local seq of n 100 + 20 n,
--   global seq of n 660 + 200 n.
--   old:     4 flushes + 2 local(1)  = 90640 + 240  = 90880, 2 stale exposures
--   new:     2 flushes + 2 global(1) = 45320 + 1720 = 47040
--   modern:  2 flushes + 1 local(1) + 1 global(1) = 45320 + 120 + 860 = 46300
--   tracked: as new                 = 47040 (its lines coincide with new's)
--   optimal: 1 flush + 2 local(1)   = 22660 + 240  = 22900 (the floor)
-- Verdict: safe = optimal 22900 < modern 46300 < new 47040 = tracked 47040;
-- modern is the cheapest safe kernel policy at 46300 / 22900 = 2.02x the floor;
-- old is unsafe (2 exposures) although it is not the dearest reason to refuse it.
INSERT OR REPLACE INTO meta VALUES ('source','generated'), ('threads_per_core','4'),
  ('ncpus','16'), ('host','p7-lab-5'), ('kernel','3.7.10'), ('lost_events','0'),
  ('machine','ppc64'), ('start_time','2026-11-20T09:30:00Z');
INSERT INTO vm VALUES (1,'guest-a',100,1);
INSERT INTO replay_run VALUES
 (1,'old','power7','{"machine":"power7","threads_per_core":4,"threads_per_core_source":"meta","vcores":"per-T ids","costs":{"tlbiel":20,"tlbie":200,"tlbsync":500,"ptesync":50,"eieio":10,"lock":50,"flush_refill":20000,"sets":128},"options":{"bulk_via_global_invalidates":0}}','d5','0.2-test','2026-11-28T10:00:00Z',1000000),
 (2,'new','power7','{"machine":"power7","threads_per_core":4,"threads_per_core_source":"meta","vcores":"per-T ids","costs":{"tlbiel":20,"tlbie":200,"tlbsync":500,"ptesync":50,"eieio":10,"lock":50,"flush_refill":20000,"sets":128},"options":{"bulk_via_global_invalidates":0}}','d5','0.2-test','2026-11-28T10:00:00Z',1000000),
 (3,'modern','power7','{"machine":"power7","threads_per_core":4,"threads_per_core_source":"meta","vcores":"per-T ids","costs":{"tlbiel":20,"tlbie":200,"tlbsync":500,"ptesync":50,"eieio":10,"lock":50,"flush_refill":20000,"sets":128},"options":{"bulk_via_global_invalidates":0}}','d5','0.2-test','2026-11-28T10:00:00Z',1000000),
 (4,'tracked','power7','{"machine":"power7","threads_per_core":4,"threads_per_core_source":"meta","vcores":"per-T ids","costs":{"tlbiel":20,"tlbie":200,"tlbsync":500,"ptesync":50,"eieio":10,"lock":50,"flush_refill":20000,"sets":128},"options":{"bulk_via_global_invalidates":0}}','d5','0.2-test','2026-11-28T10:00:00Z',1000000),
 (5,'optimal','power7','{"machine":"power7","threads_per_core":4,"threads_per_core_source":"meta","vcores":"per-T ids","costs":{"tlbiel":20,"tlbie":200,"tlbsync":500,"ptesync":50,"eieio":10,"lock":50,"flush_refill":20000,"sets":128},"options":{"bulk_via_global_invalidates":0}}','d5','0.2-test','2026-11-28T10:00:00Z',1000000);
INSERT INTO replay_total VALUES
 (1,1,20,6,2,4,512,2,2,0,0,90880,2),
 (1,-1,20,6,2,4,512,2,2,0,0,90880,2),
 (2,1,20,6,2,2,256,0,0,2,2,47040,0),
 (2,-1,20,6,2,2,256,0,0,2,2,47040,0),
 (3,1,20,6,2,2,256,1,1,1,1,46300,0),
 (3,-1,20,6,2,2,256,1,1,1,1,46300,0),
 (4,1,20,6,2,2,256,0,0,2,2,47040,0),
 (4,-1,20,6,2,2,256,0,0,2,2,47040,0),
 (5,1,20,6,2,1,128,2,2,0,0,22900,0),
 (5,-1,20,6,2,1,128,2,2,0,0,22900,0);
-- Series of 1 ms buckets (only non-empty ones stored), the all row.
INSERT INTO replay_series VALUES
 (1,-1,0,0,0,0,0,0,0,0,0,0,22720,0),
 (1,-1,2000000,0,0,0,0,0,0,0,0,0,22720,1),
 (1,-1,5000000,0,0,0,0,0,0,0,0,0,22720,1),
 (1,-1,9000000,0,0,0,0,0,0,0,0,0,22720,0),
 (2,-1,0,0,0,0,0,0,0,0,1,1,23520,0),
 (2,-1,5000000,0,0,0,0,0,0,0,1,1,23520,0),
 (3,-1,0,0,0,0,0,0,0,0,0,0,23150,0),
 (3,-1,5000000,0,0,0,0,0,0,0,1,1,23150,0),
 (4,-1,0,0,0,0,0,0,0,0,1,1,23520,0),
 (4,-1,5000000,0,0,0,0,0,0,0,1,1,23520,0),
 (5,-1,0,0,0,0,0,0,0,0,0,0,22900,0);
INSERT INTO replay_hazard VALUES (1,2500000,1,1,1,1000000), (1,5500000,1,0,2,5000000);
