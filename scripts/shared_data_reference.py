#!/usr/bin/env python3
"""Independent reference for tests/io/tst_shared_data.cpp.

Reads every point cloud in ../shared/data with plain Python (stdlib only, written separately from the
C++ readers) and writes the expected finite point count and label histogram of each file to
tests/data/shared_data_expected.json. Run it again only if ../shared/data changes:

    python3 scripts/shared_data_reference.py ../shared/data > tests/data/shared_data_expected.json
"""
import json
import math
import os
import struct
import sys
from collections import Counter

PLY_TYPES = {"char": "b", "int8": "b", "uchar": "B", "uint8": "B", "short": "h", "int16": "h",
             "ushort": "H", "uint16": "H", "int": "i", "int32": "i", "uint": "I", "uint32": "I",
             "float": "f", "float32": "f", "double": "d", "float64": "d"}


def finite(*values):
    return all(math.isfinite(v) for v in values)


def read_ply(path):
    with open(path, "rb") as f:
        data = f.read()
    end = data.index(b"end_header") + len(b"end_header")
    end = data.index(b"\n", end) + 1
    header = data[:end].decode("ascii").splitlines()
    assert header[1].startswith("format binary_little_endian")
    elements, current = [], None
    for line in header:
        parts = line.split()
        if parts and parts[0] == "element":
            current = {"name": parts[1], "count": int(parts[2]), "props": []}
            elements.append(current)
        elif parts and parts[0] == "property":
            if parts[1] == "list":
                current["props"].append(("list", parts[2], parts[3], parts[4]))
            else:
                current["props"].append((parts[2], parts[1]))
    vertex = elements[0]
    assert vertex["name"] == "vertex" and all(p[0] != "list" for p in vertex["props"])
    fmt = "<" + "".join(PLY_TYPES[t] for _, t in vertex["props"])
    names = [n for n, _ in vertex["props"]]
    size = struct.calcsize(fmt)
    points, labels = 0, Counter()
    for k in range(vertex["count"]):
        rec = dict(zip(names, struct.unpack_from(fmt, data, end + k * size)))
        if not finite(rec["x"], rec["y"], rec["z"]):
            continue
        points += 1
        if "label" in rec:
            labels[rec["label"]] += 1
    return points, labels


def lzf_decompress(src, out_len):
    out = bytearray()
    i = 0
    while i < len(src):
        ctrl = src[i]
        i += 1
        if ctrl < 32:
            out += src[i:i + ctrl + 1]
            i += ctrl + 1
        else:
            length = ctrl >> 5
            if length == 7:
                length += src[i]
                i += 1
            ref = len(out) - ((ctrl & 0x1f) << 8) - src[i] - 1
            i += 1
            for _ in range(length + 2):
                out.append(out[ref])
                ref += 1
    assert len(out) == out_len, (len(out), out_len)
    return bytes(out)


def read_pcd(path):
    with open(path, "rb") as f:
        data = f.read()
    pos, header = 0, {}
    while True:
        nl = data.index(b"\n", pos)
        line = data[pos:nl].decode("ascii").strip()
        pos = nl + 1
        if not line or line.startswith("#"):
            continue
        key, *rest = line.split()
        header[key] = rest
        if key == "DATA":
            break
    fields, sizes, types = header["FIELDS"], list(map(int, header["SIZE"])), header["TYPE"]
    n = int(header["POINTS"][0])
    mode = header["DATA"][0]
    codes = {("F", 4): "f", ("F", 8): "d", ("U", 4): "I", ("I", 4): "i", ("U", 1): "B", ("U", 2): "H"}
    columns = {}
    if mode == "ascii":
        rows = [l.split() for l in data[pos:].decode("ascii").splitlines() if l.strip()]
        for j, name in enumerate(fields):
            columns[name] = [float(r[j]) for r in rows]
    elif mode == "binary":
        fmt = "<" + "".join(codes[(t, s)] for t, s in zip(types, sizes))
        rec = struct.calcsize(fmt)
        vals = [struct.unpack_from(fmt, data, pos + k * rec) for k in range(n)]
        for j, name in enumerate(fields):
            columns[name] = [v[j] for v in vals]
    else:
        comp, raw = struct.unpack_from("<II", data, pos)
        block = lzf_decompress(data[pos + 8:pos + 8 + comp], raw)
        off = 0
        for name, t, s in zip(fields, types, sizes):  # structure of arrays
            columns[name] = list(struct.unpack_from("<%d%s" % (n, codes[(t, s)]), block, off))
            off += n * s
    points, labels = 0, Counter()
    for k in range(n):
        if not finite(columns["x"][k], columns["y"][k], columns["z"][k]):
            continue
        points += 1
        if "label" in columns:
            labels[int(columns["label"][k])] += 1
    return points, labels


def read_kitti(path):
    with open(path, "rb") as f:
        data = f.read()
    n = len(data) // 16
    pts = sum(1 for k in range(n) if finite(*struct.unpack_from("<3f", data, 16 * k)))
    label_path = os.path.join(os.path.dirname(os.path.dirname(path)), "labels",
                              os.path.basename(path)[:-4] + ".label")
    with open(label_path, "rb") as f:
        lab = f.read()
    labels = Counter(v & 0xFFFF for v in struct.unpack("<%dI" % (len(lab) // 4), lab))
    return pts, labels


def read_mmdet(path):
    with open(path, "rb") as f:
        data = f.read()
    n = len(data) // 24
    pts = sum(1 for k in range(n) if finite(*struct.unpack_from("<3f", data, 24 * k)))
    mask = os.path.join(os.path.dirname(os.path.dirname(path)), "semantic_mask", os.path.basename(path))
    with open(mask, "rb") as f:
        m = f.read()
    labels = Counter(struct.unpack("<%dq" % (len(m) // 8), m))
    return pts, labels


def read_text(path, label_column=None):
    points, labels = 0, Counter()
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3:
                continue
            x, y, z = map(float, parts[:3])
            if not finite(x, y, z):
                continue
            points += 1
            if label_column is not None:
                labels[int(float(parts[label_column]))] += 1
    return points, labels


def main(root):
    expected = {}
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if name.endswith(".ply"):
                pts, lab = read_ply(path)
            elif name.endswith(".pcd"):
                pts, lab = read_pcd(path)
            elif name.endswith(".bin") and "/velodyne/" in path:
                pts, lab = read_kitti(path)
            elif name.endswith(".bin") and os.sep + "points" + os.sep in path:
                pts, lab = read_mmdet(path)
            elif name.endswith(".txt") and "shapenetpart" in rel and "/0" in path:
                pts, lab = read_text(path, label_column=6)
            elif name.endswith(".pts"):
                pts, lab = read_text(path)
            elif name.endswith(".off"):
                pts, lab = 10000, Counter()  # meshes are sampled: ReadOptions.meshSamples default
            else:
                continue
            entry = {"points": pts}
            if lab:
                entry["label_histogram"] = {str(k): v for k, v in sorted(lab.items())}
            expected[rel] = entry
    json.dump(dict(sorted(expected.items())), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
