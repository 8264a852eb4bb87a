#!/usr/bin/env python3
"""Regenerates sst_golden.txt: every row of every SST of selected peer fixtures, as decoded by
the independent decoder shared/peer/kit/sldecode.py. Used by format/sst_golden_test.cc.

Line formats:
  S <fixture-relative path> <version> <sst_type> <codec> <nrows> <nblocks> <filter_len> <first|-> <last|->
  R <key hex> <value: hex | '-' (tombstone) | '#<len>:<crc32 hex>' (long)> <seq> <V|T|M> <create|-> <expire|->
Usage: gen_sst_golden.py <fixtures dir> <sldecode dir> > sst_golden.txt
"""
import os
import sys
import zlib

FIXTURES = ['basic', 'bloom', 'misc', 'compress_lz4', 'compress_snappy', 'compress_zlib',
            'compress_zstd', 'versions', 'ttl', 'pywriter_lz4', 'pywriter_none',
            'pywriter_snappy', 'pywriter_zlib', 'pywriter_zstd', 'fence', 'reopen_p3']
CODEC = {None: 'none', 'Snappy': 'snappy', 'Zlib': 'zlib', 'Lz4': 'lz4', 'Zstd': 'zstd'}


def main():
    root, kit = sys.argv[1], sys.argv[2]
    sys.path.insert(0, kit)
    import sldecode as s
    for fx in FIXTURES:
        base = os.path.join(root, fx)
        for dp, _, fn in sorted(os.walk(base)):
            for f in sorted(fn):
                if not f.endswith('.sst'):
                    continue
                path = os.path.join(dp, f)
                data = open(path, 'rb').read()
                d = s.d_sst(data, with_rows=False)
                info = d['info']
                codec = info['compression_format']
                ver = d['footer']['format_version']
                rows = []
                metas = d['index']
                for bi, m in enumerate(metas):
                    o = m['offset']
                    end = metas[bi + 1]['offset'] if bi + 1 < len(metas) else info['filter_offset']
                    raw = s.decompress(data[o:end][:-4], codec)
                    rows += s.decode_block(raw, ver)[1]
                rel = os.path.relpath(path, root)
                print('S %s %d %s %s %d %d %d %s %s' % (
                    rel, ver, info['sst_type'], CODEC[codec], len(rows), len(metas),
                    info['filter_len'], info['first_entry'] or '-', info['last_entry'] or '-'))
                for r in rows:
                    flags = r['flags']
                    kind = 'T' if 'TOMBSTONE' in flags else ('M' if 'MERGE' in flags else 'V')
                    v = r['value']
                    if v is None:
                        vs = '-'
                    elif len(v) > 48:
                        vs = '#%d:%08x' % (len(v), zlib.crc32(v))
                    else:
                        vs = v.hex() if v else '""'
                    def opt(x):
                        return '-' if x is None else str(x)
                    print('R %s %s %d %s %s %s' % (r['key'].hex(), vs, r['seq'], kind,
                                                   opt(r['create_ts']), opt(r['expire_ts'])))


main()
