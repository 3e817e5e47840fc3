#!/usr/bin/python3
"""Checks a PNG rendered by libportal against numpy's own rendering of the same frame.

usage: render_check.py DCM PNG [--frame N] [--window C W] [--voi-lut] [--invert]

The expected image: pydicom's pixel_array -> modality LUT (apply_modality_lut) -> the DICOM
linear window (PS3.3 C.11.2.1.2.1) with the given or the file's first window, or pydicom's
apply_voi_lut with --voi-lut, or the frame's min..max -> 8 bits, rounded -> inverted for
MONOCHROME1 (xor --invert). The PNG must match exactly. Prints the largest difference.
"""
import argparse
import sys
import warnings

import numpy as np
import pydicom
from PIL import Image
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut

warnings.simplefilter("ignore")


def linear(x, c, w):
    w = max(w, 1.0)
    y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0 if w > 1 else np.full(x.shape, 255.0)
    y = np.where(x <= c - 0.5 - (w - 1) / 2, 0.0, np.where(x > c - 0.5 + (w - 1) / 2, 255.0, y))
    return np.floor(np.clip(y + 0.5, 0, 255))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dcm")
    ap.add_argument("png")
    ap.add_argument("--frame", type=int, default=0)
    ap.add_argument("--window", type=float, nargs=2)
    ap.add_argument("--voi-lut", action="store_true")
    ap.add_argument("--invert", action="store_true")
    a = ap.parse_args()
    ds = pydicom.dcmread(a.dcm)
    arr = ds.pixel_array
    if int(getattr(ds, "NumberOfFrames", 1) or 1) > 1:
        arr = arr[a.frame]
    if a.voi_lut:
        item = ds.VOILUTSequence[0]
        bits = int(item.LUTDescriptor[2])
        y = apply_voi_lut(arr, ds).astype(np.float64)
        y = np.floor(np.clip(y / (2 ** bits - 1) * 255 + 0.5, 0, 255))
    else:
        m = apply_modality_lut(arr, ds).astype(np.float64)
        if a.window:
            c, w = a.window
        elif "WindowCenter" in ds:
            wc, ww = ds.WindowCenter, ds.WindowWidth
            c = float(wc[0] if isinstance(wc, pydicom.multival.MultiValue) else wc)
            w = float(ww[0] if isinstance(ww, pydicom.multival.MultiValue) else ww)
        else:
            lo, hi = float(m.min()), float(m.max())
            c, w = (lo + hi + 1) / 2, hi - lo + 1
        y = linear(m, c, w)
    if (ds.PhotometricInterpretation == "MONOCHROME1") != a.invert:
        y = 255 - y
    ours = np.asarray(Image.open(a.png)).astype(np.float64)
    if ours.shape != y.shape:
        print(f"shape {ours.shape} != {y.shape}")
        return 1
    worst = float(np.abs(ours - y).max())
    print(f"max difference {worst:g}")
    return 0 if worst == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
