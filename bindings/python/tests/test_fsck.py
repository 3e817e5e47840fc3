"""Portal.fsck: consistency between the index and the file store."""

import pathlib

import pytest

from conftest import PYDICOM_TEST_FILES, portal, sha256_of

SAMPLES = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm"]


@pytest.fixture
def small(tmp_path):
    p = portal.open(tmp_path / "data")
    s = p.system_session()
    report = s.ingest([str(PYDICOM_TEST_FILES / f) for f in SAMPLES])
    assert report.stored == len(SAMPLES), report.files
    return p, s, report


def blob_file_of(p, s, sop_uid) -> pathlib.Path:
    """The file under <data>/blobs holding this instance (found by content hash)."""
    want = next(i.sha256 for r in s.find_studies() for i in s.instances(r.uid) if i.sop_uid == sop_uid)
    for f in pathlib.Path(p.data_dir, "blobs").rglob("*"):
        if f.is_file() and sha256_of(f.read_bytes()) == want:
            return f
    raise AssertionError(f"no blob file for {sop_uid}")


def test_fsck_after_ingest_is_clean(small):
    p, _, _ = small
    report = p.fsck()
    assert report.clean, report.issues
    assert report.issues == []
    assert report.instances_checked == len(SAMPLES)
    assert report.files_checked == len(SAMPLES)
    assert report.repaired == 0
    assert report.to_dict()["clean"] is True


def test_fsck_reports_a_damaged_file(small):
    p, s, report = small
    victim = report.files[0].sop_uid
    f = blob_file_of(p, s, victim)
    data = bytearray(f.read_bytes())
    data[-1] ^= 0xFF
    f.write_bytes(bytes(data))
    result = p.fsck()
    assert not result.clean
    assert [i.kind for i in result.issues] == ["hash_mismatch"]
    assert result.issues[0].sop_uid == victim
    assert result.issues[0].blob_id


def test_fsck_reports_and_repairs_a_missing_file(small):
    p, s, report = small
    victim = report.files[1].sop_uid
    blob_file_of(p, s, victim).unlink()
    result = p.fsck()
    assert [(i.kind, i.sop_uid) for i in result.issues] == [("missing_file", victim)]
    assert result.repaired == 0
    repaired = p.fsck(repair=True)
    assert repaired.repaired == 1
    assert p.fsck().clean
    with pytest.raises(portal.NotFoundError):
        s.instance_bytes(victim)
