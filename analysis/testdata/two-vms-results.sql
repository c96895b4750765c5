-- Results of a replay written by hand (tests t5xxx), to be applied on top of
-- schemas/trace-v1.sql. Nothing here was produced by tlbreplay: every figure is
-- counted from the cost formulas of replay-model.md with the power7 costs
-- (tlbiel 20, tlbie 200, tlbsync 500, ptesync 50, eieio 10, lock 50,
-- flush_refill 20000, sets 128), so the tests can check tlbreport against them.
--
--   full flush      = 2 ptesync + 128 tlbiel + flush_refill = 100 + 2560 + 20000 = 22660
--   local seq of n  = 2 ptesync + n tlbiel                  = 100 + 20 n
--   global seq of n = lock + 2 ptesync + n tlbie + eieio + tlbsync = 660 + 200 n
--
--   old vm1: 4 flushes + 1 global(1) = 90640 + 860 = 91500 (as spec/examples ex1)
--   old vm2: 1 flush + 10 global(1)  = 22660 + 8600 = 31260
--   new vm1: 2 flushes + 1 local(1)  = 45320 + 120 = 45440 (as spec/examples ex1)
--   new vm2: 40 global(1)            = 34400
--   totals: old 122760, new 79840; old/new = 1.538
-- Sensitivity (x = tlbie + tlbsync, stored 700, split 2:5; y = flush_refill, stored 20000):
--   old = 115060 + 11 x, new = 51840 + 40 x   -> equal at x = 63220 / 29 = 2180.0
--   old = 22760 + 5 y,   new = 39840 + 2 y    -> equal at y = 17080 / 3  = 5693.3
INSERT OR REPLACE INTO meta VALUES ('source','generated'), ('threads_per_core','4'),
  ('ncpus','16'), ('host','p7-lab-3'), ('kernel','3.7.10'),
  ('cpu_model','POWER7 (architected), altivec supported'), ('lost_events','0'),
  ('start_time','2026-11-20T09:30:00Z');
INSERT INTO vm VALUES (1,'guest-a',100,1), (2,'guest-b',200,2);
INSERT INTO replay_run VALUES
 (1,'old','power7','{"machine":"power7","threads_per_core":4,"vcores":"per-T","costs":{"tlbiel":20,"tlbie":200,"tlbsync":500,"ptesync":50,"eieio":10,"lock":50,"flush_refill":20000,"sets":128},"options":{}}','d1','0.1-test','2026-11-25T22:00:00Z',1000000),
 (2,'new','power7','{"machine":"power7","threads_per_core":4,"vcores":"per-T","costs":{"tlbiel":20,"tlbie":200,"tlbsync":500,"ptesync":50,"eieio":10,"lock":50,"flush_refill":20000,"sets":128},"options":{}}','d1','0.1-test','2026-11-25T22:00:00Z',1000000);
INSERT INTO replay_total VALUES
 (1,1,11,6,1,4,512,0,0,1,1,91500,0), (1,2,30,10,12,1,128,0,0,10,10,31260,2),
 (1,-1,41,16,13,5,640,0,0,11,11,122760,2),
 (2,1,11,6,1,2,256,1,1,0,0,45440,0), (2,2,30,10,12,0,0,0,0,40,40,34400,0),
 (2,-1,41,16,13,2,256,1,1,40,40,79840,0);
-- Series of 1 ms buckets; bucket 2 ms is empty (not stored).
INSERT INTO replay_series VALUES
 (1,-1,0,20,8,5,3,384,0,0,5,5,64000,0), (1,-1,1000000,11,4,4,1,128,0,0,3,3,23000,1),
 (1,-1,3000000,10,4,4,1,128,0,0,3,3,35760,1),
 (2,-1,0,20,8,5,1,128,1,1,20,20,40000,0), (2,-1,1000000,11,4,4,1,128,0,0,10,10,20000,0),
 (2,-1,3000000,10,4,4,0,0,0,0,10,10,19840,0);
INSERT INTO replay_hazard VALUES (1,1500000,2,1,3,900000), (1,3200000,2,0,2,3000000);
