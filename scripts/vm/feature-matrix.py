#!/usr/bin/env python3
"""Kernel feature matrix from a kernel lab run (tests/run.sh --layers vm).

    scripts/vm/feature-matrix.py RESULTS                 print the matrix (Markdown)
    scripts/vm/feature-matrix.py --update FILE RESULTS   rewrite FILE between the lines
        <!-- kernel-matrix:begin --> and <!-- kernel-matrix:end -->

RESULTS is BUILD/vm-results: one folder per kernel (the names of scripts/vm/kernels.conf,
and "host" for this machine's kernel), in it one folder per test holding features.tsv
(KEY, yes|no|fail, detail: written by the tests through tests/vm/vm_lib.sh), kernel
(uname -r) and, from a guest, package (the Debian package it booted).
"""
import os
import sys

ROWS = [
    ("xdp_veth", "XDP native on veth"),
    ("tc", "TC ingress (clsact) on veth"),
    ("bpf_loop", "bpf_loop"),
    ("bpf_crypto", "bpf_crypto kfuncs (ecb(aes))"),
    ("kfunc_module", "kfuncs from modules"),
    ("esp", "ESP, XFRM transport mode"),
    ("fastpath_obj", "nwit_fastpath.bpf.o loads"),
]
CELL = {"yes": "yes", "no": "no (refused)", "fail": "**FAIL**"}
BEGIN, END = "<!-- kernel-matrix:begin -->", "<!-- kernel-matrix:end -->"


def kernel_order(results):
    conf = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels.conf")
    names = []
    with open(conf) as f:
        for line in f:
            w = line.split()
            if w and not w[0].startswith("#") and len(w) >= 3:
                names.append(w[0])
    present = sorted(d for d in os.listdir(results) if os.path.isdir(os.path.join(results, d)))
    return [k for k in names if k in present] + (["host"] if "host" in present else []) + \
        [k for k in present if k not in names and k != "host"]


def read_kernel(path):
    cells, release, package = {}, "", ""
    for test in sorted(os.listdir(path)):
        d = os.path.join(path, test)
        tsv = os.path.join(d, "features.tsv")
        if os.path.isfile(tsv):
            with open(tsv) as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) >= 2:
                        cells[parts[0]] = (parts[1], parts[2].strip() if len(parts) > 2 else "")
        for name in ("kernel", "package"):
            p = os.path.join(d, name)
            if os.path.isfile(p):
                with open(p) as f:
                    v = f.read().strip()
                if name == "kernel" and not release:
                    release = v.split(" ")[0]
                if name == "package" and not package:
                    package = v
    return cells, release, package


def matrix(results):
    kernels = kernel_order(results)
    data = {k: read_kernel(os.path.join(results, k)) for k in kernels}
    keys = [k for k, _ in ROWS]
    extra = sorted({key for k in kernels for key in data[k][0] if key not in keys})
    labels = dict(ROWS)
    heads = []
    for k in kernels:
        _, release, package = data[k]
        if k == "host":
            heads.append("this machine (%s)" % (release or "?"))
        else:
            heads.append("%s (%s)" % (k, package.split(" ")[-1] if package else release or "?"))
    out = ["| feature | " + " | ".join(heads) + " |",
           "|---|" + "---|" * len(kernels)]
    for key in keys + extra:
        row = []
        for k in kernels:
            c = data[k][0].get(key)
            cell = CELL.get(c[0], c[0]) if c else "not run"
            if c and c[0] == "yes" and key not in labels:
                # a test's row: how many of its cases passed ("9 of 9 cases pass")
                w = c[1].split()
                if len(w) >= 3 and w[1] == "of":
                    cell = "yes (%s/%s)" % (w[0], w[2])
            row.append(cell)
        out.append("| %s | %s |" % (labels.get(key, "`%s`" % key), " | ".join(row)))
    out.append("")
    out.append("Why, per kernel (the probe's or the test's own words):")
    for key in keys + extra:
        for k, head in zip(kernels, heads):
            c = data[k][0].get(key)
            if c and c[1] and (key in labels or c[0] != "yes"):
                out.append("- %s, %s: %s" % (labels.get(key, "`%s`" % key), head, c[1]))
    out.append("")
    out.append("Kernels: " + "; ".join(
        "%s = %s" % (h, data[k][2] or "the running kernel") for k, h in zip(kernels, heads)) + ".")
    return "\n".join(out) + "\n"


def main(argv):
    update = None
    if len(argv) >= 3 and argv[0] == "--update":
        update, argv = argv[1], argv[2:]
    if len(argv) != 1 or not os.path.isdir(argv[0]):
        sys.stderr.write(__doc__)
        return 2
    text = matrix(argv[0])
    if not update:
        sys.stdout.write(text)
        return 0
    with open(update) as f:
        doc = f.read()
    if BEGIN not in doc or END not in doc:
        sys.stderr.write("feature-matrix: %s has no %s ... %s section\n" % (update, BEGIN, END))
        return 1
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(update + ".tmp", "w") as f:
        f.write(head + BEGIN + "\n" + text + END + tail)
    os.replace(update + ".tmp", update)
    print("feature-matrix: %s updated from %s" % (update, argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
