#!/usr/bin/python3
"""Writes the seed corpus of every fuzz target under tests/fuzz/corpus/<target>/: small valid
files of each format and the malformed cases the unit tests use. Deterministic; run with the
system interpreter (numpy). The files are committed; rerun only to change the seeds."""
import gzip
import io
import json
import os
import struct
import zlib

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def gz(b):
    return gzip.compress(b if isinstance(b, bytes) else b.encode(), mtime=0)


# CSV (and users' tables)
csv = {
    "header.csv": "a,b,label\n1,2,0\n3,4.5,1\n-1e3,0.25,0\n",
    "no_header.csv": "1,2\n3,4\n",
    "quoted_crlf.csv": "\"x\",\"y\"\r\n1,2\r\n",
    "comments.csv": "# preamble\n\na,b\n1,2\n# end\n",
    "ragged.csv": "a,b\n1,2\n3\n",
    "nan.csv": "a,b\n1,nan\n",
    "text.csv": "a,b\n1,x\n",
    "empty_field.csv": "a,b\n1,\n",
    "header_only.csv": "a,b\n",
    "huge_number.csv": "a\n1e400\n",
}
for name, text in csv.items():
    put("csv", name, text)
    put("table", name, text)
put("csv", "gzip.csv", gz(csv["header.csv"]))
put("table", "labels.csv", "a,b,label\n1,2,5\n3,4,7\n5,6,5\n")
put("table", "fraction.csv", "a,b,label\n1,2,0.5\n")
# Tables of measured designs (offline optimisation): numbers, letters, sequences.
for name, text in csv.items():
    put("design_table", name, text)
put("design_table", "letters.csv", "p1,p2,y\nA,C,1\nT,G,2\nG,G,0.5\n")
put("design_table", "sequences.csv", "seq,y\nACGT,1\nTTGA,2\n\"GGCA\",NA\n")
put("design_table", "bad_letter.csv", "seq,y\nACGU,1\nACGT,2\n")
put("design_table", "constant.csv", "a,y\n1,3\n2,3\n")

# .npy
def npy(a):
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()

put("npy", "f8_2x3.npy", npy(np.arange(6, dtype="<f8").reshape(2, 3)))
put("npy", "f4_1d.npy", npy(np.arange(4, dtype="<f4")))
put("npy", "i8.npy", npy(np.arange(6, dtype="<i8").reshape(3, 2)))
put("npy", "fortran.npy", npy(np.asfortranarray(np.arange(6.0).reshape(2, 3))))
put("npy", "big_endian.npy", npy(np.arange(3, dtype=">f8")))
put("npy", "truncated.npy", npy(np.arange(6.0))[:70])
put("npy", "absurd_shape.npy", npy(np.zeros(2))[:10] + b"{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 100000000000), }".ljust(118) + b"\n")

# LIBSVM
put("libsvm", "valid.libsvm", "1 1:0.5 3:2\n-1 2:1 # comment\n0 qid:3 1:1\n")
put("libsvm", "bad_order.libsvm", "1 3:1 2:1\n")
put("libsvm", "no_colon.libsvm", "1 3\n")
put("libsvm", "huge_index.libsvm", "1 99999999999:1\n")
put("libsvm", "nan.libsvm", "1 1:nan\n")

# Matrix Market
put("matrix_market", "coord_general.mtx",
    "%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n2 2 2.5\n3 1 -1\n")
put("matrix_market", "coord_symmetric.mtx",
    "%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n1 1 4\n2 1 1\n")
put("matrix_market", "array.mtx", "%%MatrixMarket matrix array real general\n2 1\n1\n2\n")
put("matrix_market", "pattern.mtx",
    "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 2\n")
put("matrix_market", "out_of_range.mtx",
    "%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1\n")
put("matrix_market", "absurd_size.mtx",
    "%%MatrixMarket matrix array real general\n100000000000 100000000000\n1\n")
put("matrix_market", "short.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 5\n1 1 1\n")

# IDX
def idx_u8(shape, values):
    head = struct.pack(">BBBB", 0, 0, 0x08, len(shape)) + b"".join(struct.pack(">I", s) for s in shape)
    return head + bytes(values)

put("idx", "u8_2x2x2.idx", idx_u8((2, 2, 2), range(8)))
put("idx", "u8_labels.idx", idx_u8((3,), [1, 2, 3]))
put("idx", "gzip.idx", gz(idx_u8((2, 3), range(6))))
put("idx", "truncated.idx", idx_u8((4, 4), range(16))[:15])
put("idx", "absurd.idx", struct.pack(">BBBB", 0, 0, 0x08, 3) + struct.pack(">III", 60000, 60000, 60000))
put("idx", "float.idx", struct.pack(">BBBB", 0, 0, 0x0D, 1) + struct.pack(">I", 2) + struct.pack(">ff", 1.5, 2.5))

# JSON (configs and the Summary form `descent report` reads)
put("json", "object.json", '{"a": 1, "b": [1, 2.5, null], "c": {"d": "e"}}')
put("json", "summary.json", json.dumps({
    "status": "converged", "message": "ok", "method": "gd", "iterations": 3,
    "function_evaluations": 4, "gradient_evaluations": 4, "objective": 1e-9,
    "gradient_norm": None, "seconds": 0.01, "counters": {"x": 1},
    "history": [{"iteration": 1, "objective": 1.0, "gradient_norm": 2.0, "step_size": 0.1,
                 "seconds": 0.0, "extras": {"m": 1}}]}))
put("json", "bad_status.json", '{"status": "weird"}')
put("json", "syntax.json", '{"a": [1, 2,}')
put("json", "deep.json", "[" * 200 + "]" * 200)

# PNG
def png(width, height, colour, channels, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

put("png", "gray_4x4.png", png(4, 4, 0, 1, [[x * 40 for x in range(4)]] * 4))
put("png", "rgb_2x2.png", png(2, 2, 2, 3, [[255, 0, 0, 0, 255, 0]] * 2))
put("png", "rgba_2x2.png", png(2, 2, 6, 4, [[255, 0, 0, 128, 0, 255, 0, 255]] * 2))
put("png", "truncated.png", png(4, 4, 0, 1, [[1, 2, 3, 4]] * 4)[:40])
put("png", "absurd.png", png(1, 1, 0, 1, [[0]])[:16] + struct.pack(">II", 1 << 30, 1 << 30) + b"\x08\x00\x00\x00\x00")

# GBNN model files
model = {
    "format": "descent-gbnn", "version": 1, "task": "regression", "classes": 0,
    "class_values": [], "target": "y", "features": ["a", "b"], "inputs": 2,
    "activation": "logistic",
    "options": {"total_units": 2, "units_per_round": 1, "eta": 0.5, "subsample": 1.0,
                "activation": "logistic", "alpha": 1e-4, "max_iter": 10, "max_fun": 100,
                "tol": 0.0, "regression_step": "newton", "seed": 0},
    "initial": [0.5],
    "rounds": [{"rho": 0.5, "w1": [[0.1, -0.2]], "b1": [0.0], "w2": [[1.0]], "b2": [0.1]},
               {"rho": 0.25, "w1": [[0.3, 0.2]], "b1": [0.1], "w2": [[-1.0]], "b2": [0.0]}],
    "train_loss": [1.0, 0.5], "standardize": {"mean": [0, 1], "scale": [1, 2]}, "data": "x.csv"}
put("gbnn_model", "regression.json", json.dumps(model))
multi = json.loads(json.dumps(model))
multi.update({"task": "multiclass", "classes": 3, "class_values": [1, 2, 3], "initial": [0, 0, 0],
              "standardize": None})
for r in multi["rounds"]:
    r["w2"] = [[1.0], [0.0], [-1.0]]
    r["b2"] = [0.0, 0.1, 0.2]
put("gbnn_model", "multiclass.json", json.dumps(multi))
bad = json.loads(json.dumps(model))
bad["rounds"][1]["w1"] = [[0.3]]
put("gbnn_model", "ragged.json", json.dumps(bad))
bad = json.loads(json.dumps(model))
bad["inputs"] = 7
put("gbnn_model", "inputs_mismatch.json", json.dumps(bad))
bad = json.loads(json.dumps(model))
bad["standardize"]["scale"] = [0, 1]
put("gbnn_model", "zero_scale.json", json.dumps(bad))
put("gbnn_model", "other_format.json", '{"format": "descent-mlp"}')
print("corpus written to", ROOT)
