#!/usr/bin/python3
"""Writes a copy of one DICOM file with changed attributes, for the web tests.

Usage: dicom_variant.py SOURCE OUT KEY=VALUE...  Keys are pydicom keywords (PatientName,
PatientID, AccessionNumber, StudyDate...); `new_uids=1` gives the copy new study, series and
instance UIDs (a new study). Needs Debian's python3-pydicom."""
import sys

import pydicom
from pydicom.uid import generate_uid


def main(argv):
    source, out, *changes = argv[1:]
    ds = pydicom.dcmread(source)
    for change in changes:
        key, _, value = change.partition("=")
        if key == "new_uids":
            ds.StudyInstanceUID = generate_uid()
            ds.SeriesInstanceUID = generate_uid()
            ds.SOPInstanceUID = generate_uid()
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        else:
            setattr(ds, key, value)
    ds.save_as(out, write_like_original=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
