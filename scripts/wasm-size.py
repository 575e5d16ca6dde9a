#!/usr/bin/env python3
"""Where the bytes of a WebAssembly file are: code by crate, data, the rest.

Usage: scripts/wasm-size.py FILE.wasm [--top N] [--grep WORD]

Needs a file with its name section (function names): `make wasm-sizes`
builds the page's wasm with its names, through wasm-bindgen and wasm-opt -Oz
as Trunk does, and runs this on it; a stripped file only gets the section
totals. Each function body is put under the crate its name names first:
the standard library's v0 names (`_R…`) by the crate of the innermost path,
legacy names (`_ZN…`) and demangled ones by their first segment, so
`<T as core::fmt::Debug>::fmt` counts under the crate of `T`, the code that
asked for it; a generic function counts under the crate that defines it,
whoever instantiated it (our views under tachys). `--grep WORD` sums the
functions whose name contains WORD.
"""

import re
import sys
from collections import Counter


def leb(buf, pos):
    """An unsigned LEB128 at pos: (value, next position)."""
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, pos


def name(buf, pos):
    n, pos = leb(buf, pos)
    return buf[pos : pos + n].decode("utf-8", "replace"), pos + n


def sections(buf):
    pos = 8
    while pos < len(buf):
        sid = buf[pos]
        size, body = leb(buf, pos + 1)
        yield sid, buf[body : body + size]
        pos = body + size


def imported_functions(body):
    count, pos = leb(body, 0)
    funcs = 0
    for _ in range(count):
        _, pos = name(body, pos)
        _, pos = name(body, pos)
        kind = body[pos]
        pos += 1
        if kind == 0:  # function: type index
            _, pos = leb(body, pos)
            funcs += 1
        elif kind == 1:  # table: reftype, limits
            pos += 1
            flags, pos = leb(body, pos + 0)
            _, pos = leb(body, pos)
            if flags & 1:
                _, pos = leb(body, pos)
        elif kind == 2:  # memory: limits
            flags, pos = leb(body, pos)
            _, pos = leb(body, pos)
            if flags & 1:
                _, pos = leb(body, pos)
        elif kind == 3:  # global: valtype, mutability
            pos += 2
        else:
            _, pos = leb(body, pos)
    return funcs


def function_names(body):
    _, pos = name(body, 0)  # "name"
    names = {}
    while pos < len(body):
        sub = body[pos]
        size, start = leb(body, pos + 1)
        if sub == 1:
            count, p = leb(body, start)
            for _ in range(count):
                idx, p = leb(body, p)
                names[idx], p = name(body, p)
        pos = start + size
    return names


V0_CRATE = re.compile(r"C(?:s[0-9A-Za-z]*_)?([0-9]+)")


def crate_of(symbol):
    """The crate a mangled function name belongs to: the first crate named
    in a v0 name (`_R…`, the standard library's), the first path segment of
    a legacy one (`_ZN…`), with `<T as Trait>` read as `T`."""
    if symbol.startswith("_R"):
        m = V0_CRATE.search(symbol, 2)
        if m:
            n = int(m.group(1))
            return symbol[m.end() : m.end() + n]
    if symbol.startswith("_ZN"):
        m = re.match(r"_ZN([0-9]+)", symbol)
        if m:
            seg = symbol[m.end() : m.end() + int(m.group(1))]
            seg = re.sub(r"^_?(\$LT\$|\$RF\$|\$BP\$|\$u5b\$|\$LP\$|mut\$u20\$|dyn\$u20\$|const\$u20\$)+", "", seg)
            word = re.match(r"[A-Za-z_][A-Za-z0-9_]*", seg)
            if word:
                return word.group(0)
    # Demangled (wasm-bindgen demangles): `crate::path`, `<T as crate::Trait>`.
    plain = re.sub(r"^([<&*( ]|dyn |mut |const |impl )+", "", symbol)
    plain = re.sub(r"^[A-Z][A-Za-z0-9]? as ", "", plain)
    word = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?::", plain)
    if word:
        return word.group(1)
    if re.match(r"(f32|f64|u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|bool|char|str)\b", plain):
        return "core"
    return "(other symbols)"


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    path = argv[1]
    top = int(argv[argv.index("--top") + 1]) if "--top" in argv else 0
    grep = argv[argv.index("--grep") + 1] if "--grep" in argv else None
    buf = open(path, "rb").read()
    if buf[:4] != b"\0asm":
        sys.exit(f"{path}: not a WebAssembly file")
    totals = Counter()
    bodies = []
    names = {}
    imports = 0
    for sid, body in sections(buf):
        label = {1: "types", 2: "imports", 3: "functions", 7: "exports", 10: "code", 11: "data"}.get(sid, f"section {sid}")
        if sid == 0:
            cname, _ = name(body, 0)
            label = f"custom {cname}"
            if cname == "name":
                names = function_names(body)
        totals[label] += len(body)
        if sid == 2:
            imports = imported_functions(body)
        if sid == 10:
            count, pos = leb(body, 0)
            for i in range(count):
                size, start = leb(body, pos)
                bodies.append((imports + i, size))
                pos = start + size
    print(f"{path}: {len(buf):,} B")
    for label, size in totals.most_common():
        print(f"  {label:<24} {size:>10,} B")
    if not names:
        print("no name section: build with names (make wasm-sizes) for the split by crate")
        return 0
    by_crate = Counter()
    fns = []
    for idx, size in bodies:
        fn = names.get(idx, f"func[{idx}]")
        by_crate[crate_of(fn)] += size
        fns.append((size, fn))
    code = sum(by_crate.values())
    print(f"\ncode by crate ({len(bodies):,} functions, {code:,} B):")
    for crate, size in by_crate.most_common():
        print(f"  {crate:<28} {size / 1024:>8.1f} KiB  {100 * size / code:>5.1f} %")
    if grep:
        hits = [(s, f) for s, f in fns if grep in f]
        print(f"\nfunctions matching {grep!r}: {len(hits)}, {sum(s for s, _ in hits):,} B")
        for size, fn in sorted(hits, reverse=True)[: top or 20]:
            print(f"  {size:>8,} B  {fn[:150]}")
    elif top:
        print(f"\nlargest {top} functions:")
        for size, fn in sorted(fns, reverse=True)[:top]:
            print(f"  {size:>8,} B  {fn[:150]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
