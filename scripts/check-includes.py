#!/usr/bin/env python3
"""Fail on an #include cycle among the modules of userspace/ (and on lib including nwitd).

A module is a subsystem folder (userspace/lib/sip, userspace/nwitd/calls, ...) or a file of
the daemon's top folder (userspace/nwitd/services.c with services.h). Module A depends on B
when a .c file of A reaches a header of B (directly or through the headers it includes):
only code can call back. Two graphs must be acyclic:
  - the modules above (a folder that includes a header of a folder that includes it back is
    a cycle, whichever files do it);
  - the files themselves (x.c and x.h are one node), so that inside a folder too no file
    includes the header of a file that includes its own.
Quoted includes are resolved like the compiler does: the including file's folder, then
userspace/lib, then userspace/nwitd. System includes are ignored.

  scripts/check-includes.py [--root DIR]      exit 0: no cycle; 1: cycles printed
"""
import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root):
    for top in ("lib", "nwitd"):
        base = os.path.join(root, "userspace", top)
        for d, _, files in os.walk(base):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(d, f), root)


def resolve(root, path, inc):
    # lib is compiled without userspace/nwitd on its include path; it is searched for lib
    # files too, so that an attempt to reach a daemon header is reported, not skipped
    dirs = [os.path.dirname(path), "userspace/lib", "userspace/nwitd"]
    for d in dirs:
        cand = os.path.normpath(os.path.join(d, inc))
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def file_node(path):
    return os.path.splitext(path)[0]


def module_node(path):
    parts = path.split("/")
    # userspace/<lib|nwitd>/<sub>/file -> the folder; userspace/nwitd/file -> the file
    if len(parts) >= 4:
        return "/".join(parts[:3])
    return file_node(path)


def find_cycles(edges):
    """Every elementary cycle would be too many: one cycle per strongly connected part."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    nodes = sorted(set(edges) | {b for v in edges.values() for b in v})

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in nodes:
        if v not in index:
            strong(v)
    return out


def path_in(edges, comp):
    """One concrete cycle through the strongly connected part comp, for the message."""
    start = comp[0]
    members = set(comp)
    prev, todo = {start: None}, [start]
    while todo:
        v = todo.pop(0)
        for w in sorted(edges.get(v, ())):
            if w == start:
                cyc = [v]
                while prev[cyc[-1]] is not None:
                    cyc.append(prev[cyc[-1]])
                return list(reversed(cyc)) + [start]
            if w in members and w not in prev:
                prev[w] = v
                todo.append(w)
    return comp


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."))
    root = os.path.abspath(ap.parse_args().root)
    files_g, mods_g, why, errors = {}, {}, {}, []
    direct = {}
    for path in sources(root):
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        direct[path] = []
        for inc in INCLUDE.findall(text):
            target = resolve(root, path, inc)
            if target is None:
                continue  # a generated header (skeletons) or one outside userspace/
            if path.startswith("userspace/lib/") and target.startswith("userspace/nwitd/"):
                errors.append("%s includes %s: lib never includes nwitd" % (path, target))
            direct[path].append((target, inc))
    # A .c file depends on every header it reaches, directly or through other headers.
    # Only code can call back, so edges start at .c files: a header of its own (x.h with
    # x.c) or a private header of definitions (calls/call.h) is never the start of a cycle.
    for path in sorted(p for p in direct if p.endswith(".c")):
        seen, todo = set(), [(t, i, path) for t, i in direct[path]]
        while todo:
            target, inc, via = todo.pop()
            if target in seen:
                continue
            seen.add(target)
            todo.extend((t, i, target) for t, i in direct.get(target, ()))
            how = "%s includes \"%s\"" % (via, inc)
            if via != path:
                how = "%s reaches %s (%s)" % (path, target, how)
            for g, node in ((files_g, file_node), (mods_g, module_node)):
                a, b = node(path), node(target)
                if a != b:
                    g.setdefault(a, set()).add(b)
                    why.setdefault((id(g), a, b), how)
    for name, g in (("module", mods_g), ("file", files_g)):
        for comp in find_cycles(g):
            cyc = path_in(g, comp)
            steps = ["%s -> %s (%s)" % (x, y, why[(id(g), x, y)]) for x, y in zip(cyc, cyc[1:])]
            errors.append("%s cycle: %s\n    %s" % (name, " -> ".join(cyc), "\n    ".join(steps)))
    for e in errors:
        print("check-includes: " + e, file=sys.stderr)
    if errors:
        print("check-includes: %d problem(s)" % len(errors), file=sys.stderr)
        return 1
    print("check-includes: %d modules, %d files, no cycle" % (len(set(mods_g) | {b for v in mods_g.values() for b in v}), len(set(files_g) | {b for v in files_g.values() for b in v})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
