#!/usr/bin/python3
"""Compares pixel arrays decoded by libportal with an independent decoder (pydicom + numpy).

usage: pixels_crosscheck.py MANIFEST.json

The manifest (written by tests/render/pixels_crosscheck_test.cpp) lists, per DICOM file, the
.npy file holding every frame as libportal decoded it: shape (frames, rows, columns, samples),
colour always RGB, PALETTE COLOR expanded. pydicom decodes the same file with the handlers
Debian ships (numpy, RLE, Pillow, GDCM; the first that can). libportal decodes native data and
RLE itself, JPEG and JPEG-LS through DCMTK, JPEG 2000 through OpenJPEG; the references come from
pydicom's numpy/RLE code, Pillow (libjpeg-turbo; OpenJPEG for JPEG 2000 — the same codec library,
reached through another wrapper) and GDCM (its own IJG and CharLS copies). Colour references are
brought to RGB with pydicom's own convert_color_space / apply_color_lut.

Tolerances (stated): lossless syntaxes must match exactly; lossy JPEG (1.2.840.10008.1.2.4.50/51)
may differ by at most 1.5 on average and 40 at most in one sample, since IJG 6b inside DCMTK and
libjpeg-turbo inside Pillow/GDCM use different IDCT and chroma upsampling; lossy JPEG 2000 at
most 1 per sample.

Prints one line per file (MATCH, SKIP with the reason, or MISMATCH) and a summary line
"N passed, M failed, K skipped"; exits 1 on any mismatch.
"""
import json
import sys
import warnings

import numpy as np
import pydicom
from pydicom.pixel_data_handlers import numpy_handler, rle_handler
from pydicom.pixel_data_handlers.util import apply_color_lut, convert_color_space

warnings.simplefilter("ignore")

HANDLERS = [numpy_handler, rle_handler]
try:
    from pydicom.pixel_data_handlers import pillow_handler
    if pillow_handler.is_available():
        HANDLERS.append(pillow_handler)
except Exception:  # pragma: no cover - optional
    pass
try:
    from pydicom.pixel_data_handlers import gdcm_handler
    if gdcm_handler.is_available():
        HANDLERS.append(gdcm_handler)
except Exception:  # pragma: no cover - optional
    pass

LOSSY_JPEG = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"}
LOSSY_J2K = {"1.2.840.10008.1.2.4.91"}


def reference(path):
    """(array shaped like ours, handler name) or (None, reason)."""
    ds = pydicom.dcmread(path, force=True)
    errors = []
    for handler in HANDLERS:
        if not handler.supports_transfer_syntax(ds.file_meta.TransferSyntaxUID):
            continue
        pydicom.config.pixel_data_handlers = [handler]
        try:
            ds2 = pydicom.dcmread(path, force=True)
            arr = ds2.pixel_array
        except Exception as e:  # try the next handler
            errors.append(f"{handler.__name__.split('.')[-1]}: {str(e)[:60]}")
            continue
        name = handler.__name__.split(".")[-1]
        pi = ds2.PhotometricInterpretation
        frames = int(getattr(ds2, "NumberOfFrames", 1) or 1)
        spp = int(ds2.SamplesPerPixel)
        if pi == "PALETTE COLOR":
            arr = apply_color_lut(arr, ds2)
            spp = 3
        elif pi in ("YBR_FULL", "YBR_FULL_422") and name != "gdcm_handler":
            # numpy and Pillow hand back YCbCr; GDCM converts to RGB itself.
            arr = convert_color_space(arr, "YBR_FULL", "RGB")
        arr = arr.reshape(frames, ds2.Rows, ds2.Columns, spp)
        return arr, name
    return None, "; ".join(errors) or "no pydicom handler for this syntax"


def main(manifest_path):
    with open(manifest_path) as f:
        manifest = json.load(f)
    passed = failed = skipped = 0
    for entry in manifest:
        name = entry["file"].rsplit("/", 1)[-1]
        ours = np.load(entry["npy"])
        ref, how = reference(entry["file"])
        if ref is None:
            print(f"SKIP {name}: {how}")
            skipped += 1
            continue
        ts = entry["transfer_syntax"]
        if ref.shape != ours.shape:
            print(f"MISMATCH {name}: shape {ours.shape} vs pydicom {ref.shape} ({how})")
            failed += 1
            continue
        diff = np.abs(ours.astype(np.float64) - ref.astype(np.float64))
        worst, mean = float(diff.max()), float(diff.mean())
        if ts in LOSSY_JPEG:
            ok = mean <= 1.5 and worst <= 40
        elif ts in LOSSY_J2K:
            ok = worst <= 1
        else:
            ok = worst == 0
        word = "MATCH" if ok else "MISMATCH"
        print(f"{word} {name}: max {worst:g} mean {mean:.3f} ({how}, {ts})")
        if ok:
            passed += 1
        else:
            failed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
