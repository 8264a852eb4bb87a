// slatedb/export.h — symbol visibility of the public API.
//
// What: SLATEDB_EXPORT marks the classes and functions of include/slatedb/ that a shared
// libslatedb.so exports. The shared library is built with hidden visibility, so everything
// else (the engine's internals) stays private to it. In the static library the macro changes
// nothing. Thread safety, ownership, errors: not applicable (a macro).
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define SLATEDB_EXPORT [[gnu::visibility("default")]]
#else
#define SLATEDB_EXPORT
#endif
