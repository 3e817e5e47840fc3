#!/usr/bin/python3
"""Writes small DICOM files for the imaging tests (pydicom): valid ones for features the pydicom
sample set lacks (PALETTE COLOR, VOI LUT, MONOCHROME1) and hostile ones whose headers lie.

usage: make_imaging_samples.py OUTDIR
"""
import os
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

TEST_FILES = "/usr/lib/python3/dist-packages/pydicom/data/test_files"


def base(name):
    return pydicom.dcmread(os.path.join(TEST_FILES, name))


def save(ds, out, name):
    ds.save_as(os.path.join(out, name), write_like_original=False)


def palette(out):
    ds = base("CT_small.dcm")
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    rows, cols = 16, 24
    idx = (np.arange(rows * cols).reshape(rows, cols) % 256).astype(np.uint8)
    ds.Rows, ds.Columns = rows, cols
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "PALETTE COLOR"
    for attr in ("RescaleSlope", "RescaleIntercept", "WindowCenter", "WindowWidth"):
        if attr in ds:
            delattr(ds, attr)
    ramp = np.arange(256, dtype=np.uint16)
    luts = {"Red": ramp * 257, "Green": (255 - ramp) * 257, "Blue": (ramp * 3 % 256) * 257}
    for color, data in luts.items():
        setattr(ds, f"{color}PaletteColorLookupTableDescriptor", [256, 0, 16])
        ds[f"{color}PaletteColorLookupTableDescriptor"].VR = "US"
        setattr(ds, f"{color}PaletteColorLookupTableData", data.astype("<u2").tobytes())
        ds[f"{color}PaletteColorLookupTableData"].VR = "OW"
    ds.PixelData = idx.tobytes()
    ds["PixelData"].VR = "OB"
    save(ds, out, "palette8.dcm")
    # The same with LUTs that declare 256 entries but hold 16.
    for color in luts:
        setattr(ds, f"{color}PaletteColorLookupTableData", luts[color][:16].astype("<u2").tobytes())
    save(ds, out, "palette_lut_short.dcm")


def voi_lut(out):
    ds = base("MR_small.dcm")
    for attr in ("WindowCenter", "WindowWidth"):
        if attr in ds:
            delattr(ds, attr)
    item = Dataset()
    # An inverted staircase over 0..4095 (MR_small's values lie inside).
    item.LUTDescriptor = [4096, 0, 12]
    item["LUTDescriptor"].VR = "US"
    item.LUTData = [4095 - (v // 16) * 16 for v in range(4096)]
    item["LUTData"].VR = "US"
    item.LUTExplanation = "TEST"
    ds.VOILUTSequence = Sequence([item])
    save(ds, out, "voi_lut.dcm")
    short = Dataset()
    short.LUTDescriptor = [4096, 0, 16]
    short["LUTDescriptor"].VR = "US"
    short.LUTData = list(range(10))
    short["LUTData"].VR = "US"
    ds.VOILUTSequence = Sequence([short])
    save(ds, out, "voi_lut_short.dcm")


def header_lies(out):
    ds = base("CT_small.dcm")
    ds.Rows, ds.Columns = 65535, 65535
    save(ds, out, "huge_dims.dcm")
    ds = base("CT_small.dcm")
    ds.NumberOfFrames = 100000
    save(ds, out, "huge_frames.dcm")
    ds = base("CT_small.dcm")
    ds.HighBit = 16
    save(ds, out, "high_bit.dcm")
    ds = base("CT_small.dcm")
    ds.BitsStored = 17
    save(ds, out, "bits_stored.dcm")
    ds = base("CT_small.dcm")
    ds.PhotometricInterpretation = "MONOCHROME1"
    save(ds, out, "monochrome1.dcm")


def deflate_bomb(out):
    # 80 MB of zeros in a private element: about 80 KB once deflated.
    ds = base("CT_small.dcm")
    ds.file_meta.TransferSyntaxUID = pydicom.uid.DeflatedExplicitVRLittleEndian
    ds.add_new(0x00091010, "LO", "PADDING")
    ds.add_new(0x00091011, "OB", bytes(80_000_000))
    save(ds, out, "deflate_bomb.dcm")


def main(out):
    os.makedirs(out, exist_ok=True)
    palette(out)
    voi_lut(out)
    header_lies(out)
    deflate_bomb(out)


if __name__ == "__main__":
    main(sys.argv[1])
