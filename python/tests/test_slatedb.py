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
