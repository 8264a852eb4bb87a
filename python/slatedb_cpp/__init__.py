"""slatedb_cpp — Python binding of slatedb-cpp over its C API (slatedb/c.h), stdlib only (ctypes).

    from slatedb_cpp import Db
    with Db.open("db", "file:///tmp/demo") as db:
        db.put(b"k", b"v")
        assert db.get(b"k") == b"v"
        for key, value in db.scan(b"a", b"z"):
            ...
        with db.snapshot() as snap:          # reads at one sequence number
            snap.get(b"k")
        with db.begin(isolation="ssi") as txn:  # commits on success, rolls back on exception
            txn.put(b"k", txn.get(b"k") + b"!")

The shared library is found through $SLATEDB_CPP_LIBRARY (a path), else libslatedb_c.so /
libslatedb.so on the loader's search path. Keys and values are bytes (str is encoded as UTF-8).
Errors raise SlateDBError subclasses named after the error kinds (InvalidError, ClosedError,
UnavailableError, DataError, ...; a transaction's commit conflict raises TransactionConflict).
A missing key is not an error: get returns None.
Thread safety: a Db, DbReader or Snapshot may be shared by threads; a Transaction or an
iterator belongs to one thread at a time. Closing a Db, snapshot or transaction closes the
iterators still open on it (they then end).
"""

import ctypes
import ctypes.util
import json
import os
import weakref

__all__ = [
    "Db", "DbReader", "WriteBatch", "Settings", "SlateDBError", "InvalidError", "ClosedError",
    "FencedError", "UnavailableError", "DataError", "InternalError", "NotFoundError",
    "PermissionDeniedError", "string_append", "uint64_add", "Ttl", "Snapshot", "Transaction",
    "TransactionConflict", "TransactionError", "SNAPSHOT", "SERIALIZABLE_SNAPSHOT",
]


class SlateDBError(Exception):
    """An error returned by slatedb-cpp; `kind` is the error kind ("Invalid", "Closed", ...)."""

    def __init__(self, kind, message):
        super().__init__(f"{kind}: {message}" if message else kind)
        self.kind = kind
        self.message = message


class InvalidError(SlateDBError): pass
class ClosedError(SlateDBError): pass
class FencedError(ClosedError): pass
class UnavailableError(SlateDBError): pass
class DataError(SlateDBError): pass
class InternalError(SlateDBError): pass
class NotFoundError(SlateDBError): pass
class PermissionDeniedError(SlateDBError): pass
class AlreadyExistsError(SlateDBError): pass
class PreconditionFailedError(SlateDBError): pass
class TransactionConflict(SlateDBError):
    """A transaction's commit conflicted with another write (kind "Transaction"): retry it."""


TransactionError = TransactionConflict  # the kind's name, like the other classes

_KINDS = {
    "Invalid": InvalidError, "Closed": ClosedError, "Closed(fenced)": FencedError,
    "Closed(clean)": ClosedError, "Closed(panic)": ClosedError,
    "Unavailable": UnavailableError, "Data": DataError, "Internal": InternalError,
    "NotFound": NotFoundError, "PermissionDenied": PermissionDeniedError,
    "AlreadyExists": AlreadyExistsError, "PreconditionFailed": PreconditionFailedError,
    "Transaction": TransactionConflict,
}

# Isolation levels of Db.begin (also accepted as "si" / "ssi").
SNAPSHOT = 0
SERIALIZABLE_SNAPSHOT = 1
_ISOLATION = {SNAPSHOT: 0, SERIALIZABLE_SNAPSHOT: 1, "si": 0, "snapshot": 0, "ssi": 1,
              "serializable": 1, "serializable_snapshot": 1}


def _load():
    path = os.environ.get("SLATEDB_CPP_LIBRARY")
    candidates = [path] if path else ["libslatedb_c.so", "libslatedb.so.0.1", "libslatedb.so"]
    errors = []
    for c in candidates:
        try:
            return ctypes.CDLL(c)
        except OSError as e:  # try the next name
            errors.append(str(e))
    raise ImportError("slatedb_cpp: cannot load the slatedb-cpp shared library (set "
                      "SLATEDB_CPP_LIBRARY): " + "; ".join(errors))


_lib = _load()
_c = ctypes
_p, _sz, _u64, _i64 = _c.c_void_p, _c.c_size_t, _c.c_uint64, _c.c_int64
_err = _c.POINTER(_c.c_void_p)


class _Ttl(_c.Structure):
    _fields_ = [("kind", _c.c_int), ("value", _c.c_int64)]


class Ttl:
    """Time to live of one put: Ttl.default(), Ttl.no_expiry(), Ttl.expire_after(ms),
    Ttl.expire_at(unix_ms)."""

    def __init__(self, kind, value=0):
        self._kind, self._value = kind, value

    @staticmethod
    def default(): return Ttl(0)
    @staticmethod
    def no_expiry(): return Ttl(1)
    @staticmethod
    def expire_after(ms): return Ttl(2, int(ms))
    @staticmethod
    def expire_at(unix_ms): return Ttl(3, int(unix_ms))

    def _c(self):
        return _Ttl(self._kind, self._value)


def _fn(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


_free = _fn("slatedb_free", None, _p)
_version = _fn("slatedb_version", _c.c_char_p)
_store_open = _fn("slatedb_object_store_open", _p, _c.c_char_p, _err)
_store_destroy = _fn("slatedb_object_store_destroy", None, _p)
_settings_from_json = _fn("slatedb_settings_from_json", _p, _c.c_char_p, _err)
_settings_from_file = _fn("slatedb_settings_from_file", _p, _c.c_char_p, _err)
_settings_to_json = _fn("slatedb_settings_to_json", _p, _p)
_settings_destroy = _fn("slatedb_settings_destroy", None, _p)
_mo_append = _fn("slatedb_mergeoperator_create_string_append", _p, _c.c_char_p, _sz)
_mo_add = _fn("slatedb_mergeoperator_create_uint64_add", _p)
_mo_destroy = _fn("slatedb_mergeoperator_destroy", None, _p)
_opts_create = _fn("slatedb_options_create", _p)
_opts_settings = _fn("slatedb_options_set_settings", None, _p, _p)
_opts_merge = _fn("slatedb_options_set_merge_operator", None, _p, _p)
_opts_seed = _fn("slatedb_options_set_seed", None, _p, _u64)
_opts_destroy = _fn("slatedb_options_destroy", None, _p)
_wo_create = _fn("slatedb_writeoptions_create", _p)
_wo_durable = _fn("slatedb_writeoptions_set_await_durable", None, _p, _c.c_ubyte)
_wo_destroy = _fn("slatedb_writeoptions_destroy", None, _p)
_open = _fn("slatedb_open_with_options", _p, _c.c_char_p, _p, _p, _err)
_close = _fn("slatedb_close", None, _p, _err)
_put = _fn("slatedb_put_with_options", _u64, _p, _p, _c.c_char_p, _sz, _c.c_char_p, _sz, _Ttl,
           _err)
_delete = _fn("slatedb_delete_with_options", _u64, _p, _p, _c.c_char_p, _sz, _err)
_merge = _fn("slatedb_merge_with_options", _u64, _p, _p, _c.c_char_p, _sz, _c.c_char_p, _sz, _Ttl,
             _err)
_ro_create = _fn("slatedb_readoptions_create", _p)
_ro_durability = _fn("slatedb_readoptions_set_durability_filter", None, _p, _c.c_int)
_ro_dirty = _fn("slatedb_readoptions_set_dirty", None, _p, _c.c_ubyte)
_ro_destroy = _fn("slatedb_readoptions_destroy", None, _p)
_get_opts = _fn("slatedb_get_with_options", _p, _p, _p, _c.c_char_p, _sz, _c.POINTER(_sz), _err)
_scan_opts = _fn("slatedb_scan_with_options", _p, _p, _p, _c.c_char_p, _sz, _c.c_char_p, _sz,
                 _c.c_ubyte, _err)
_write = _fn("slatedb_write", _u64, _p, _p, _p, _err)
_flush = _fn("slatedb_flush", None, _p, _err)
_flush_memtable = _fn("slatedb_flush_memtable", None, _p, _err)
_get = _fn("slatedb_get", _p, _p, _c.c_char_p, _sz, _c.POINTER(_sz), _err)
_scan = _fn("slatedb_scan", _p, _p, _c.c_char_p, _sz, _c.c_char_p, _sz, _err)
_scan_rev = _fn("slatedb_scan_reverse", _p, _p, _c.c_char_p, _sz, _c.c_char_p, _sz, _err)
_scan_prefix = _fn("slatedb_scan_prefix", _p, _p, _c.c_char_p, _sz, _err)
_wb_create = _fn("slatedb_writebatch_create", _p)
_wb_put = _fn("slatedb_writebatch_put_with_ttl", None, _p, _c.c_char_p, _sz, _c.c_char_p, _sz,
              _Ttl)
_wb_delete = _fn("slatedb_writebatch_delete", None, _p, _c.c_char_p, _sz)
_wb_merge = _fn("slatedb_writebatch_merge", None, _p, _c.c_char_p, _sz, _c.c_char_p, _sz)
_wb_count = _fn("slatedb_writebatch_count", _sz, _p)
_wb_destroy = _fn("slatedb_writebatch_destroy", None, _p)
_it_valid = _fn("slatedb_iter_valid", _c.c_ubyte, _p)
_it_key = _fn("slatedb_iter_key", _p, _p, _c.POINTER(_sz))
_it_value = _fn("slatedb_iter_value", _p, _p, _c.POINTER(_sz))
_it_next = _fn("slatedb_iter_next", None, _p)
_it_seek = _fn("slatedb_iter_seek", None, _p, _c.c_char_p, _sz)
_it_error = _fn("slatedb_iter_get_error", None, _p, _err)
_it_destroy = _fn("slatedb_iter_destroy", None, _p)
_reader_open = _fn("slatedb_reader_open", _p, _c.c_char_p, _p, _p, _err)
_reader_get = _fn("slatedb_reader_get", _p, _p, _c.c_char_p, _sz, _c.POINTER(_sz), _err)
_reader_scan = _fn("slatedb_reader_scan", _p, _p, _c.c_char_p, _sz, _c.c_char_p, _sz, _err)
_reader_scan_prefix = _fn("slatedb_reader_scan_prefix", _p, _p, _c.c_char_p, _sz, _err)
_reader_close = _fn("slatedb_reader_close", None, _p, _err)
_mg_args = (_p, _sz, _c.POINTER(_c.c_char_p), _c.POINTER(_sz), _c.POINTER(_p), _c.POINTER(_sz),
            _err)
_multi_get = _fn("slatedb_multi_get", None, *_mg_args)
_reader_multi_get = _fn("slatedb_reader_multi_get", None, *_mg_args)
_snap_create = _fn("slatedb_snapshot_create", _p, _p, _err)
_snap_seq = _fn("slatedb_snapshot_seq", _u64, _p)
_snap_get = _fn("slatedb_snapshot_get", _p, _p, _c.c_char_p, _sz, _c.POINTER(_sz), _err)
_snap_multi_get = _fn("slatedb_snapshot_multi_get", None, *_mg_args)
_snap_scan = _fn("slatedb_snapshot_scan", _p, _p, _c.c_char_p, _sz, _c.c_char_p, _sz, _err)
_snap_scan_prefix = _fn("slatedb_snapshot_scan_prefix", _p, _p, _c.c_char_p, _sz, _err)
_snap_release = _fn("slatedb_snapshot_release", None, _p)
_txn_begin = _fn("slatedb_transaction_begin", _p, _p, _c.c_int, _err)
_txn_put = _fn("slatedb_transaction_put_with_ttl", None, _p, _c.c_char_p, _sz, _c.c_char_p, _sz,
               _Ttl, _err)
_txn_delete = _fn("slatedb_transaction_delete", None, _p, _c.c_char_p, _sz, _err)
_txn_merge = _fn("slatedb_transaction_merge", None, _p, _c.c_char_p, _sz, _c.c_char_p, _sz, _err)
_txn_get = _fn("slatedb_transaction_get", _p, _p, _c.c_char_p, _sz, _c.POINTER(_sz), _err)
_txn_multi_get = _fn("slatedb_transaction_multi_get", None, *_mg_args)
_txn_scan = _fn("slatedb_transaction_scan", _p, _p, _c.c_char_p, _sz, _c.c_char_p, _sz, _err)
_txn_scan_prefix = _fn("slatedb_transaction_scan_prefix", _p, _p, _c.c_char_p, _sz, _err)
_txn_keys_args = (_p, _sz, _c.POINTER(_c.c_char_p), _c.POINTER(_sz), _err)
_txn_mark_read = _fn("slatedb_transaction_mark_read", None, *_txn_keys_args)
_txn_unmark_write = _fn("slatedb_transaction_unmark_write", None, *_txn_keys_args)
_txn_commit = _fn("slatedb_transaction_commit", _u64, _p, _p, _err)
_txn_rollback = _fn("slatedb_transaction_rollback", None, _p, _err)
_txn_seq = _fn("slatedb_transaction_seq", _u64, _p)
_txn_id = _fn("slatedb_transaction_id", _c.c_char_p, _p)
_txn_isolation = _fn("slatedb_transaction_isolation", _c.c_int, _p)
_txn_destroy = _fn("slatedb_transaction_destroy", None, _p)


def version():
    return _version().decode()


def _bytes(x, what="key"):
    if isinstance(x, bytes):
        return x
    if isinstance(x, (bytearray, memoryview)):
        return bytes(x)
    if isinstance(x, str):
        return x.encode()
    raise TypeError(f"{what} must be bytes or str, not {type(x).__name__}")


def _call(fn, *args):
    """Calls fn(*args, &err) and raises the error it reports."""
    err = _c.c_void_p()
    result = fn(*args, _c.byref(err))
    if err.value:
        text = _c.string_at(err.value).decode("utf-8", "replace")
        _free(err)
        kind, _, message = text.partition(": ")
        raise _KINDS.get(kind, SlateDBError)(kind, message)
    return result


def _take(ptr, length):
    if not ptr:
        return None
    try:
        return _c.string_at(ptr, length)
    finally:
        _free(ptr)


class Settings:
    """Database settings (SlateDB's JSON, partial objects over the defaults, or a file)."""

    def __init__(self, handle):
        self._h = handle

    @staticmethod
    def from_json(text):
        return Settings(_call(_settings_from_json, _bytes(text, "json")))

    @staticmethod
    def from_file(path):
        return Settings(_call(_settings_from_file, os.fsencode(path)))

    def to_json(self):
        return _take_str(_settings_to_json(self._h))

    def __del__(self):
        if getattr(self, "_h", None):
            _settings_destroy(self._h)
            self._h = None


def _take_str(ptr):
    if not ptr:
        return None
    try:
        return _c.string_at(ptr).decode()
    finally:
        _free(ptr)


class _MergeOperator:
    def __init__(self, handle):
        self._h = handle

    def __del__(self):
        if getattr(self, "_h", None):
            _mo_destroy(self._h)
            self._h = None


def string_append(delimiter=b","):
    d = _bytes(delimiter, "delimiter")
    return _MergeOperator(_mo_append(d, len(d)))


def uint64_add():
    return _MergeOperator(_mo_add())


def _merge_operator(op):
    """A merge operator object, or a built-in's name (the CLI's --merge-operator names)."""
    if op is None or isinstance(op, _MergeOperator):
        return op
    if isinstance(op, str):
        name = op.replace("_", "-")
        if name == "string-append":
            return string_append()
        if name == "uint64-add":
            return uint64_add()
    raise InvalidError("Invalid", f"unknown merge operator {op!r} (valid: 'string-append', "
                       "'uint64-add', or string_append(delimiter) / uint64_add())")


class WriteBatch:
    """An atomic group of puts, deletes and merges."""

    def __init__(self):
        self._h = _wb_create()

    def put(self, key, value, ttl=None):
        k, v = _bytes(key), _bytes(value, "value")
        _wb_put(self._h, k, len(k), v, len(v), (ttl or Ttl.default())._c())

    def delete(self, key):
        k = _bytes(key)
        _wb_delete(self._h, k, len(k))

    def merge(self, key, operand):
        k, v = _bytes(key), _bytes(operand, "operand")
        _wb_merge(self._h, k, len(k), v, len(v))

    def __len__(self):
        return _wb_count(self._h)

    def __del__(self):
        if getattr(self, "_h", None):
            _wb_destroy(self._h)
            self._h = None


class _Iterator:
    """Yields (key, value) pairs; seek(key) repositions."""

    def __init__(self, handle, *owners):
        self._h, self._owners = handle, owners  # the owners keep their sources alive
        for o in owners:  # closing an owner closes this iterator first
            o._iters.add(self)

    def __iter__(self):
        return self

    def __next__(self):
        if not self._h:
            raise StopIteration
        if not _it_valid(self._h):
            _call(_it_error, self._h)
            self.close()
            raise StopIteration
        kl, vl = _sz(), _sz()
        k = _c.string_at(_it_key(self._h, _c.byref(kl)), kl.value)
        v = _c.string_at(_it_value(self._h, _c.byref(vl)), vl.value)
        _it_next(self._h)
        return k, v

    def seek(self, key):
        k = _bytes(key)
        _it_seek(self._h, k, len(k))
        return self

    def close(self):
        if self._h:
            _it_destroy(self._h)
            self._h = None

    def __del__(self):
        self.close()


def _key_arrays(keys):
    ks = [_bytes(k) for k in keys]
    n = len(ks)
    return ks, n, (_c.c_char_p * n)(*ks), (_sz * n)(*[len(k) for k in ks])


class _Reads:
    """get / multi_get / scan / scan_prefix over one C source (Snapshot, Transaction)."""

    def _src(self):
        if not self._h:
            raise ClosedError("Closed", f"{self._what} is closed")
        return self._h

    def get(self, key):
        k = _bytes(key)
        n = _sz()
        return _take(_call(self._get_fn, self._src(), k, len(k), _c.byref(n)), n.value)

    def multi_get(self, keys):
        """One value (or None) per key, in order."""
        _, n, karr, klens = _key_arrays(keys)
        vals, vlens = (_p * n)(), (_sz * n)()
        _call(self._multi_get_fn, self._src(), n, karr, klens, vals, vlens)
        return [_take(vals[i], vlens[i]) for i in range(n)]

    def scan(self, start=None, end=None):
        return _Iterator(_call(self._scan_fn, self._src(), *_bounds(start, end)), *self._owners())

    def scan_prefix(self, prefix):
        p = _bytes(prefix)
        return _Iterator(_call(self._scan_prefix_fn, self._src(), p, len(p)), *self._owners())

    def _owners(self):
        return (self, self._db) if self._db is not None else (self,)

    def _close_iters(self):
        for it in list(self._iters):
            it.close()


class Snapshot(_Reads):
    """A consistent read-only view at one sequence number (Db.snapshot()). Context manager:
    released on exit; release() is idempotent."""

    _what = "snapshot"
    _get_fn, _multi_get_fn = staticmethod(_snap_get), staticmethod(_snap_multi_get)
    _scan_fn, _scan_prefix_fn = staticmethod(_snap_scan), staticmethod(_snap_scan_prefix)

    def __init__(self, handle, db):
        self._h, self._db, self._iters = handle, db, weakref.WeakSet()

    @property
    def seq(self):
        return _snap_seq(self._src())

    def release(self):
        if self._h:
            self._close_iters()
            h, self._h = self._h, None
            _snap_release(h)

    close = release

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
        return False

    def __del__(self):
        self.release()


class Transaction(_Reads):
    """An optimistic transaction (Db.begin()). Writes are buffered; reads see them on top of the
    transaction's snapshot. commit() raises TransactionConflict on a conflict (final: begin a
    new transaction to retry). As a context manager it commits when the block succeeds (unless
    already committed or rolled back) and rolls back when it raises; the handle is freed on
    exit either way."""

    _what = "transaction"
    _get_fn, _multi_get_fn = staticmethod(_txn_get), staticmethod(_txn_multi_get)
    _scan_fn, _scan_prefix_fn = staticmethod(_txn_scan), staticmethod(_txn_scan_prefix)

    def __init__(self, handle, db):
        self._h, self._db, self._iters = handle, db, weakref.WeakSet()
        self._done = False

    @property
    def id(self):
        return _txn_id(self._src()).decode()

    @property
    def seq(self):
        """The snapshot seq the transaction reads at."""
        return _txn_seq(self._src())

    @property
    def isolation(self):
        return _txn_isolation(self._src())

    def put(self, key, value, ttl=None):
        k, v = _bytes(key), _bytes(value, "value")
        _call(_txn_put, self._src(), k, len(k), v, len(v), (ttl or Ttl.default())._c())

    def delete(self, key):
        k = _bytes(key)
        _call(_txn_delete, self._src(), k, len(k))

    def merge(self, key, operand):
        k, v = _bytes(key), _bytes(operand, "operand")
        _call(_txn_merge, self._src(), k, len(k), v, len(v))

    def mark_read(self, keys):
        """Treats `keys` as read for conflict detection."""
        _, n, karr, klens = _key_arrays(keys)
        _call(_txn_mark_read, self._src(), n, karr, klens)

    def unmark_write(self, keys):
        """Keeps `keys` in the commit but out of write-conflict detection."""
        _, n, karr, klens = _key_arrays(keys)
        _call(_txn_unmark_write, self._src(), n, karr, klens)

    def commit(self, await_durable=False):
        """Commits; returns the commit's sequence number."""
        wo = _wo_create()
        try:
            _wo_durable(wo, 1 if await_durable else 0)
            self._done = True  # a failed commit is final too
            return _call(_txn_commit, self._src(), wo)
        finally:
            _wo_destroy(wo)

    def rollback(self):
        self._done = True
        _call(_txn_rollback, self._src())

    def close(self):
        """Frees the handle (an unfinished transaction is rolled back)."""
        if self._h:
            self._close_iters()
            h, self._h = self._h, None
            _txn_destroy(h)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if self._h and not self._done:
                if exc_type is None:
                    self.commit()
                else:
                    self.rollback()
        finally:
            self.close()
        return False

    def __del__(self):
        self.close()


class _WriteOptions:
    """A slatedb_writeoptions_t for one call (a context manager yielding the handle)."""

    def __init__(self, await_durable):
        self._await = await_durable

    def __enter__(self):
        self._h = _wo_create()
        _wo_durable(self._h, 1 if self._await else 0)
        return self._h

    def __exit__(self, *exc):
        _wo_destroy(self._h)
        return False


_DURABILITY = {"memory": 0, "remote": 1}


class _ReadOptions:
    """A slatedb_readoptions_t for one call; durability is "memory" or "remote"."""

    def __init__(self, durability, dirty):
        if durability not in _DURABILITY:
            raise InvalidError("Invalid", f"unknown durability {durability!r} (valid: 'memory', "
                               "'remote')")
        self._level, self._dirty = _DURABILITY[durability], dirty

    def __enter__(self):
        self._h = _ro_create()
        _ro_durability(self._h, self._level)
        _ro_dirty(self._h, 1 if self._dirty else 0)
        return self._h

    def __exit__(self, *exc):
        _ro_destroy(self._h)
        return False


def _bounds(start, end):
    s = None if start is None else _bytes(start)
    e = None if end is None else _bytes(end)
    return s, len(s or b""), e, len(e or b"")


def _options(settings, merge_operator, seed):
    opts = _opts_create()
    if settings is not None:
        if isinstance(settings, (str, bytes, dict)):
            settings = Settings.from_json(json.dumps(settings) if isinstance(settings, dict)
                                          else settings)
        _opts_settings(opts, settings._h)
    merge_operator = _merge_operator(merge_operator)
    if merge_operator is not None:
        _opts_merge(opts, merge_operator._h)
    _opts_seed(opts, seed)
    return opts


class _Store:
    def __init__(self, url):
        self._h = _call(_store_open, _bytes(url, "url"))

    def __del__(self):
        if getattr(self, "_h", None):
            _store_destroy(self._h)
            self._h = None


class _Handle:
    """Close (idempotent), context manager and close-on-collection for Db and DbReader."""

    def close(self):
        if self._h:
            for it in list(self._iters):  # iterators first (they must not outlive the source)
                it.close()
            h, self._h = self._h, None
            _call(self._close_fn, h)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except SlateDBError:
            pass


class Db(_Handle):
    """The writer. Db.open(path, url, settings=None, merge_operator=None); merge_operator is
    string_append(delimiter), uint64_add(), or the name "string-append" / "uint64-add"."""

    def __init__(self, handle, store):
        self._h, self._store, self._iters = handle, store, weakref.WeakSet()

    @staticmethod
    def open(path, url="memory:///", settings=None, merge_operator=None, seed=0):
        store = _Store(url)
        opts = _options(settings, merge_operator, seed)
        try:
            h = _call(_open, _bytes(path, "path"), store._h, opts)
        finally:
            _opts_destroy(opts)
        return Db(h, store)

    def _check(self):
        if not self._h:
            raise ClosedError("Closed", "database is closed")
        return self._h

    def put(self, key, value, ttl=None, await_durable=False):
        k, v = _bytes(key), _bytes(value, "value")
        wo = _wo_create()
        try:
            _wo_durable(wo, 1 if await_durable else 0)
            return _call(_put, self._check(), wo, k, len(k), v, len(v), (ttl or Ttl.default())._c())
        finally:
            _wo_destroy(wo)

    def delete(self, key, await_durable=False):
        k = _bytes(key)
        with _WriteOptions(await_durable) as wo:
            return _call(_delete, self._check(), wo, k, len(k))

    def merge(self, key, operand, ttl=None, await_durable=False):
        k, v = _bytes(key), _bytes(operand, "operand")
        with _WriteOptions(await_durable) as wo:
            return _call(_merge, self._check(), wo, k, len(k), v, len(v),
                         (ttl or Ttl.default())._c())

    def write(self, batch, await_durable=False):
        wo = _wo_create()
        try:
            _wo_durable(wo, 1 if await_durable else 0)
            return _call(_write, self._check(), batch._h, wo)
        finally:
            _wo_destroy(wo)

    def get(self, key, durability="memory", dirty=False):
        """durability="remote": only writes already durable in object storage."""
        k = _bytes(key)
        n = _sz()
        with _ReadOptions(durability, dirty) as ro:
            return _take(_call(_get_opts, self._check(), ro, k, len(k), _c.byref(n)), n.value)

    def scan(self, start=None, end=None, reverse=False, durability="memory", dirty=False):
        with _ReadOptions(durability, dirty) as ro:
            h = _call(_scan_opts, self._check(), ro, *_bounds(start, end), 1 if reverse else 0)
        return _Iterator(h, self)

    def scan_prefix(self, prefix):
        p = _bytes(prefix)
        return _Iterator(_call(_scan_prefix, self._check(), p, len(p)), self)

    def multi_get(self, keys):
        """One value (or None) per key, in order."""
        _, n, karr, klens = _key_arrays(keys)
        vals, vlens = (_p * n)(), (_sz * n)()
        _call(_multi_get, self._check(), n, karr, klens, vals, vlens)
        return [_take(vals[i], vlens[i]) for i in range(n)]

    def snapshot(self):
        """A Snapshot at the last committed write (a context manager)."""
        return Snapshot(_call(_snap_create, self._check()), self)

    def begin(self, isolation=SNAPSHOT):
        """A Transaction; isolation is SNAPSHOT ("si") or SERIALIZABLE_SNAPSHOT ("ssi")."""
        level = _ISOLATION.get(isolation.lower() if isinstance(isolation, str) else isolation)
        if level is None:
            raise InvalidError("Invalid", f"unknown isolation level {isolation!r} (valid: "
                               "SNAPSHOT / 'si', SERIALIZABLE_SNAPSHOT / 'ssi')")
        return Transaction(_call(_txn_begin, self._check(), level), self)

    def flush(self, memtable=False):
        _call(_flush_memtable if memtable else _flush, self._check())

    _close_fn = staticmethod(_close)


class DbReader(_Handle):
    """A read-only follower: DbReader.open(path, url). Never fences the writer."""

    def __init__(self, handle, store):
        self._h, self._store, self._iters = handle, store, weakref.WeakSet()

    @staticmethod
    def open(path, url, merge_operator=None):
        store = _Store(url)
        opts = _options(None, merge_operator, 0)
        try:
            h = _call(_reader_open, _bytes(path, "path"), store._h, opts)
        finally:
            _opts_destroy(opts)
        return DbReader(h, store)

    def get(self, key):
        if not self._h:
            raise ClosedError("Closed", "reader is closed")
        k = _bytes(key)
        n = _sz()
        return _take(_call(_reader_get, self._h, k, len(k), _c.byref(n)), n.value)

    def scan(self, start=None, end=None):
        if not self._h:
            raise ClosedError("Closed", "reader is closed")
        return _Iterator(_call(_reader_scan, self._h, *_bounds(start, end)), self)

    def scan_prefix(self, prefix):
        if not self._h:
            raise ClosedError("Closed", "reader is closed")
        p = _bytes(prefix)
        return _Iterator(_call(_reader_scan_prefix, self._h, p, len(p)), self)

    def multi_get(self, keys):
        if not self._h:
            raise ClosedError("Closed", "reader is closed")
        _, n, karr, klens = _key_arrays(keys)
        vals, vlens = (_p * n)(), (_sz * n)()
        _call(_reader_multi_get, self._h, n, karr, klens, vals, vlens)
        return [_take(vals[i], vlens[i]) for i in range(n)]

    _close_fn = staticmethod(_reader_close)
