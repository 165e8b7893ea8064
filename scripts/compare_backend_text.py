#!/usr/bin/env python3
"""Compare a backend's text dumps with pdftotext, char multiset-wise.

    python3 scripts/compare_backend_text.py DUMPDIR FILE.pdf...

For each PDF: the share of pdftotext's non-space chars (Kangxi radicals
folded, as the backend does) that the dump also has, full-width ASCII folded to ASCII,
and the extra chars
the dump has that pdftotext has not.
"""
import collections
import os
import subprocess
import sys
import unicodedata


def norm(s):
    out = []
    for c in s:
        if c.isspace() or c in "\u3000\x0c":
            continue
        if 0x2F00 <= ord(c) <= 0x2FD5:
            c = unicodedata.normalize("NFKC", c)
        # Single-byte ASCII in GBK-EUC-H fonts is ASCII; poppler reports the
        # Adobe-GB1 CIDs as full-width forms. Compare both as ASCII.
        if 0xFF01 <= ord(c) <= 0xFF5E:
            c = chr(ord(c) - 0xFEE0)
        out.append(c)
    return collections.Counter(out)


def main():
    dump = sys.argv[1]
    tot_ref = tot_ok = 0
    for pdf in sys.argv[2:]:
        ref = norm(subprocess.run(["pdftotext", "-q", pdf, "-"], capture_output=True, text=True).stdout)
        p = os.path.join(dump, os.path.basename(pdf) + ".txt")
        got = norm(open(p, encoding="utf-8").read()) if os.path.exists(p) else collections.Counter()
        ok = sum((ref & got).values())
        n = sum(ref.values())
        extra = got - ref
        missing = ref - got
        tot_ref += n
        tot_ok += ok
        print(f"{os.path.basename(pdf)}\tref={n}\tright={ok}\t{100.0 * ok / max(n, 1):.2f}%\textra={sum(extra.values())}"
              + (f"\tmissing={''.join(sorted(missing.elements()))[:40]!r}" if missing else "")
              + (f"\textra={''.join(sorted(extra.elements()))[:40]!r}" if extra else ""))
    print(f"TOTAL\tref={tot_ref}\tright={tot_ok}\t{100.0 * tot_ok / max(tot_ref, 1):.2f}%")


if __name__ == "__main__":
    main()
