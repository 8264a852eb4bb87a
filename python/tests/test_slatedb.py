"""Tests of the slatedb_cpp Python binding (run by ./scripts/test.sh through ctest)."""

import os
import shutil
import tempfile
import unittest

import slatedb_cpp as s


class BindingTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slatedb-py-")
        self.url = "file://" + self.dir

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_put_get_delete_scan_and_reopen(self):
        with s.Db.open("db", self.url, settings={"flush_interval": "5ms"}) as db:
            self.assertGreater(db.put(b"a", b"1"), 0)
            db.put("b", "2")  # str is UTF-8
            db.put(b"bin\x00key", b"\x00\xff")
            db.put(b"c", b"3", await_durable=True)
            db.delete(b"b")
            self.assertEqual(db.get(b"a"), b"1")
            self.assertIsNone(db.get(b"b"))
            self.assertIsNone(db.get(b"missing"))
            self.assertEqual(db.get(b"bin\x00key"), b"\x00\xff")
            self.assertEqual([k for k, _ in db.scan()], [b"a", b"bin\x00key", b"c"])
            self.assertEqual([k for k, _ in db.scan(b"b", None, reverse=True)], [b"c", b"bin\x00key"])
            self.assertEqual(list(db.scan_prefix(b"bi")), [(b"bin\x00key", b"\x00\xff")])
            it = db.scan().seek(b"bz")
            self.assertEqual(next(it), (b"c", b"3"))
            db.flush(memtable=True)
        with s.Db.open("db", self.url) as db:
            self.assertEqual(db.get(b"c"), b"3")
            self.assertIsNone(db.get(b"b"))

    def test_batches_merge_operators_and_ttls(self):
        with s.Db.open("db", self.url, merge_operator=s.string_append(b"|")) as db:
            b = s.WriteBatch()
            b.put(b"k", b"base")
            b.merge(b"k", b"x")
            b.put(b"forever", b"v", ttl=s.Ttl.no_expiry())
            b.delete(b"gone")
            self.assertEqual(len(b), 4)
            db.write(b, await_durable=True)
            self.assertEqual(db.get(b"k"), b"base|x")
            self.assertEqual(db.get(b"forever"), b"v")

    def test_write_and_read_options(self):
        with s.Db.open("db", self.url, merge_operator="string-append") as db:
            self.assertGreater(db.merge(b"m", b"a", ttl=s.Ttl.no_expiry(), await_durable=True), 0)
            db.put(b"d", b"x", await_durable=True)
            db.delete(b"d", await_durable=True)
            self.assertEqual(db.get(b"m", durability="remote"), b"a")
            self.assertIsNone(db.get(b"d", durability="remote"))
            self.assertEqual(list(db.scan(durability="remote", reverse=True)), [(b"m", b"a")])
            with self.assertRaises(s.InvalidError):
                db.get(b"m", durability="disk")

    def test_merge_operators_by_name(self):
        with s.Db.open("db", self.url, merge_operator="string-append") as db:
            db.merge(b"k", b"a")
            db.merge(b"k", b"b")
            self.assertEqual(db.get(b"k"), b"a,b")
        with s.Db.open("db2", self.url, merge_operator="uint64_add") as db:
            db.merge(b"n", (40).to_bytes(8, "little"))
            db.merge(b"n", (2).to_bytes(8, "little"))
            self.assertEqual(int.from_bytes(db.get(b"n"), "little"), 42)
        with self.assertRaises(s.InvalidError) as cm:
            s.Db.open("db3", self.url, merge_operator="max")
        self.assertIn("'max'", str(cm.exception))

    def test_snapshot_reads_at_its_seq(self):
        with s.Db.open("db", self.url) as db:
            db.put(b"a", b"old")
            db.put(b"b", b"two")
            with db.snapshot() as snap:
                seq = db.put(b"a", b"new")
                db.delete(b"b")
                db.put(b"c", b"later")
                db.flush(memtable=True)
                self.assertEqual(snap.seq, seq - 1)
                self.assertEqual(snap.get(b"a"), b"old")
                self.assertIsNone(snap.get(b"c"))
                self.assertEqual(list(snap.scan()), [(b"a", b"old"), (b"b", b"two")])
                self.assertEqual([k for k, _ in snap.scan_prefix(b"b")], [b"b"])
                self.assertEqual(snap.multi_get([b"a", b"c", b"b"]), [b"old", None, b"two"])
                open_it = snap.scan()
            self.assertIsNone(next(open_it, None))  # released with the snapshot
            with self.assertRaises(s.ClosedError):
                snap.get(b"a")
            self.assertEqual(db.get(b"a"), b"new")
            self.assertEqual(db.multi_get([b"a", b"b", b"c"]), [b"new", None, b"later"])

    def test_transactions_commit_roll_back_and_conflict(self):
        with s.Db.open("db", self.url, merge_operator="uint64-add") as db:
            db.put(b"x", b"0")
            with db.begin() as txn:  # commits at the end of the block
                self.assertEqual(txn.isolation, s.SNAPSHOT)
                self.assertEqual(len(txn.id), 36)
                txn.put(b"x", b"1")
                txn.put(b"y", b"2", ttl=s.Ttl.no_expiry())
                txn.merge(b"ctr", (5).to_bytes(8, "little"))
                txn.delete(b"gone")
                self.assertEqual(txn.get(b"x"), b"1")  # reads its own writes
                self.assertEqual(db.get(b"x"), b"0")   # not visible before commit
                self.assertEqual([k for k, _ in txn.scan()], [b"ctr", b"x", b"y"])
                self.assertEqual(txn.multi_get([b"y", b"z"]), [b"2", None])
                self.assertEqual([k for k, _ in txn.scan_prefix(b"x")], [b"x"])
            self.assertEqual(db.get(b"x"), b"1")
            self.assertEqual(int.from_bytes(db.get(b"ctr"), "little"), 5)

            with self.assertRaises(ZeroDivisionError):
                with db.begin() as txn:  # rolled back by the exception
                    txn.put(b"x", b"never")
                    1 / 0
            self.assertEqual(db.get(b"x"), b"1")
            txn = db.begin()
            txn.put(b"x", b"rolled-back")
            txn.rollback()
            with self.assertRaises(s.InvalidError):
                txn.put(b"x", b"again")
            txn.close()
            self.assertEqual(db.get(b"x"), b"1")

            # SI: write-write conflict; the second committer raises TransactionConflict.
            t1, t2 = db.begin("si"), db.begin(s.SNAPSHOT)
            t1.put(b"w", b"1")
            t2.put(b"w", b"2")
            self.assertGreater(t1.commit(await_durable=True), t2.seq)
            with self.assertRaises(s.TransactionConflict) as cm:
                t2.commit()
            self.assertEqual(cm.exception.kind, "Transaction")
            self.assertIsInstance(cm.exception, s.TransactionError)
            t1.close()
            t2.close()
            self.assertEqual(db.get(b"w"), b"1")

            # SSI: a key read, then written by someone else, fails the commit (context manager).
            with self.assertRaises(s.TransactionConflict):
                with db.begin(isolation="ssi") as txn:
                    self.assertEqual(txn.isolation, s.SERIALIZABLE_SNAPSHOT)
                    self.assertEqual(txn.get(b"x"), b"1")
                    txn.put(b"other", b"v")
                    db.put(b"x", b"changed")
            self.assertIsNone(db.get(b"other"))
            # mark_read makes SI check a key it did not read; unmark_write drops a write's check.
            t1 = db.begin()
            t1.mark_read([b"x"])
            t1.put(b"m", b"1")
            db.put(b"x", b"again")
            with self.assertRaises(s.TransactionConflict):
                t1.commit()
            t1.close()
            t1, t2 = db.begin(), db.begin()
            t1.put(b"w", b"a")
            t2.put(b"w", b"b")
            t2.unmark_write([b"w"])
            t1.commit()
            t2.commit()
            t1.close()
            t2.close()
            self.assertEqual(db.get(b"w"), b"b")

            with self.assertRaises(s.InvalidError):
                db.begin(isolation="read-committed")

            # Closing the database ends the iterators open on it and on its transactions; the
            # transaction and snapshot objects then fail with ClosedError.
            txn, snap = db.begin(), db.snapshot()
            txn_it, snap_it, db_it = txn.scan(), snap.scan(), db.scan()
        self.assertIsNone(next(txn_it, None))
        self.assertIsNone(next(snap_it, None))
        self.assertIsNone(next(db_it, None))
        txn.put(b"late", b"1")  # buffered only
        with self.assertRaises(s.ClosedError) as cm:
            txn.commit()
        self.assertEqual(cm.exception.kind, "Closed(clean)")
        with self.assertRaises(s.ClosedError):
            snap.get(b"x")
        txn.close()
        snap.release()

    def test_errors_map_to_kinds(self):
        with self.assertRaises(s.InvalidError) as cm:
            s.Settings.from_json('{"l0_max_ssts": 0}')
        self.assertIn("l0_max_ssts", str(cm.exception))
        self.assertEqual(cm.exception.kind, "Invalid")
        with self.assertRaises(s.SlateDBError):
            s.Db.open("db", "nope://bucket")
        with s.Db.open("db", self.url) as db:
            with self.assertRaises(s.InvalidError):
                db.put(b"", b"v")
            with self.assertRaises(s.InvalidError) as cm:
                db.merge(b"m", b"1")  # no merge operator configured
            self.assertIn("merge operator not configured", str(cm.exception))
            with self.assertRaises(TypeError):
                db.put(1, b"v")
        db.close()  # idempotent
        with self.assertRaises(s.ClosedError):
            db.get(b"a")

    def test_settings_round_trip(self):
        st = s.Settings.from_json('{"l0_max_ssts": 12}')
        self.assertIn('"l0_max_ssts":12', st.to_json().replace(" ", ""))
        self.assertTrue(s.version())

    def test_reads_a_database_the_slatedb_peer_wrote(self):
        fixtures = os.environ.get("SLATEDB_FIXTURES")
        if not fixtures or not os.path.isdir(os.path.join(fixtures, "basic")):
            self.skipTest("SLATEDB_FIXTURES not set")
        shutil.copytree(os.path.join(fixtures, "basic"), os.path.join(self.dir, "basic"))
        url = "file://" + os.path.join(self.dir, "basic")
        with s.DbReader.open("db", url) as r:  # read-only: the copy stays as the peer left it
            self.assertEqual(r.get(b"apple"), b"green")
            self.assertEqual(r.get(b"empty"), b"")
            self.assertIsNone(r.get(b"banana"))
            self.assertEqual(list(r.scan(b"a", b"b")), [(b"apple", b"green")])
            # "counter" holds merge operands; without a merge operator that is a clear error.
            with self.assertRaises(s.InvalidError) as cm:
                list(r.scan())
            self.assertIn("counter", str(cm.exception))
        # A writer continues the peer's database and round-trips a new row.
        with s.Db.open("db", url) as db:
            self.assertEqual(db.get(b"apple"), b"green")
            db.put(b"from-python", b"yes")
        with s.DbReader.open("db", url) as r:
            self.assertEqual(r.get(b"from-python"), b"yes")


if __name__ == "__main__":
    unittest.main()
