"""Real-world files (pydicom's test corpus): every file gets a fate, stored bytes are exact."""

import pytest

from conftest import PYDICOM_TEST_FILES, portal, sha256_of

NOT_DICOM = ["README.txt", "test1.json", "rtplan.dump"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    p = portal.open(tmp_path_factory.mktemp("corpus") / "data", durable=False)
    s = p.system_session()
    report = s.ingest(PYDICOM_TEST_FILES)  # a folder, walked recursively
    return p, s, report


def test_every_file_of_the_folder_is_reported_once(corpus):
    _, _, report = corpus
    on_disk = sorted(str(f) for f in PYDICOM_TEST_FILES.rglob("*") if f.is_file())
    assert sorted(r.source for r in report.files) == on_disk
    assert report.stored + report.duplicates + report.rejected == len(on_disk)
    assert report.stored > 20  # most of the corpus is valid DICOM


def test_each_file_is_stored_duplicate_or_rejected_with_a_message(corpus):
    _, _, report = corpus
    for r in report.files:
        assert r.status in ("stored", "duplicate", "rejected"), r
        if r.status == "rejected":
            assert r.message, r
            assert r.error in {
                "invalid_argument", "conflict", "corrupt", "too_large", "unsupported", "io",
                "internal",
            }, r
        else:
            assert r.error is None and r.message == "", r
            assert r.sop_uid and r.study_uid and r.series_uid, r


def test_non_dicom_files_are_rejected(corpus):
    _, _, report = corpus
    by_name = {r.source.rsplit("/", 1)[-1]: r for r in report.files}
    for name in NOT_DICOM:
        assert by_name[name].status == "rejected", by_name[name]
        assert by_name[name].error is not None


def test_same_sop_uid_in_several_files_is_stored_once(corpus):
    _, _, report = corpus
    mr = [r for r in report.files if r.source.rsplit("/", 1)[-1].startswith("MR_small")
          and r.status != "rejected"]
    assert len(mr) >= 2
    assert len({r.sop_uid for r in mr}) == 1
    assert [r.status for r in mr].count("stored") == 1


def test_stored_bytes_are_returned_byte_for_byte(corpus):
    _, s, report = corpus
    stored = [r for r in report.files if r.status == "stored"]
    assert stored
    hashes = {}
    for r in stored:
        for inst in s.instances(r.study_uid, r.series_uid):
            hashes[inst.sop_uid] = inst
    for r in stored:
        original = open(r.source, "rb").read()
        data = s.instance_bytes(r.sop_uid)
        assert isinstance(data, bytes)
        assert data == original, r.source
        inst = hashes[r.sop_uid]
        assert inst.sha256 == sha256_of(original), r.source
        assert inst.size_bytes == len(original) == r.size_bytes


def test_bytes_stored_adds_up(corpus):
    _, _, report = corpus
    assert report.bytes_stored == sum(r.size_bytes for r in report.files if r.status == "stored")


def test_fsck_after_the_corpus_is_clean(corpus):
    p, _, report = corpus
    result = p.fsck()
    assert result.clean, [i.to_dict() for i in result.issues]
    assert result.instances_checked == report.stored
