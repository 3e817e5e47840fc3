#!/usr/bin/python3
"""Writes a copy of a DICOM file with some attributes changed (test helper).

usage: dicom_variant.py SRC DST [Keyword=Value ...] [--new-uids=study,series,sop]
                       [--referring-id=CODE]

Values are written as given (PatientName uses DICOM '^' form). --new-uids gives the named
levels fresh UIDs derived from DST so reruns are deterministic. --referring-id writes a
Referring Physician Identification Sequence whose person code is CODE.
"""
import hashlib
import sys

import pydicom


def derived_uid(seed: str) -> str:
    digits = str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:30]
    return "2.25." + digits.lstrip("0")


def main(argv):
    src, dst, rest = argv[1], argv[2], argv[3:]
    ds = pydicom.dcmread(src)
    for arg in rest:
        if arg.startswith("--new-uids="):
            for level in arg.split("=", 1)[1].split(","):
                key = {"study": "StudyInstanceUID", "series": "SeriesInstanceUID",
                       "sop": "SOPInstanceUID"}[level]
                setattr(ds, key, derived_uid(dst + level))
                if key == "SOPInstanceUID":
                    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            continue
        if arg.startswith("--referring-id="):
            code = pydicom.Dataset()
            code.CodeValue = arg.split("=", 1)[1]
            code.CodingSchemeDesignator = "RPPS"
            code.CodeMeaning = "National practitioner number"
            ident = pydicom.Dataset()
            ident.PersonIdentificationCodeSequence = [code]
            ds.ReferringPhysicianIdentificationSequence = [ident]
            continue
        key, value = arg.split("=", 1)
        setattr(ds, key, value)
    ds.save_as(dst, write_like_original=False)


if __name__ == "__main__":
    main(sys.argv)
