"""Session.ingest and Session.ingest_bytes: results, progress callback, GIL."""

import threading
import time

import pytest

from conftest import PYDICOM_TEST_FILES, portal

SAMPLES = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "waveform_ecg.dcm", "README.txt"]


def sample_paths():
    return [str(PYDICOM_TEST_FILES / f) for f in SAMPLES]


def test_ingest_reports_each_file(fresh):
    _, s = fresh
    report = s.ingest(sample_paths())
    assert isinstance(report, portal.IngestReport)
    # Results come in acknowledgement order, which need not be the input order.
    status = {r.source: r.status for r in report.files}
    assert sorted(status) == sorted(sample_paths())
    assert [status[p] for p in sample_paths()] == ["stored"] * 4 + ["rejected"]
    assert (report.stored, report.duplicates, report.rejected) == (4, 0, 1)
    assert report.bytes_stored == sum((PYDICOM_TEST_FILES / f).stat().st_size for f in SAMPLES[:4])
    assert "stored=4" in repr(report)
    as_dict = report.to_dict()
    assert as_dict["rejected"] == 1
    assert sorted(f["status"] for f in as_dict["files"]) == ["rejected"] + ["stored"] * 4


def test_single_path_and_path_like_are_accepted(fresh):
    _, s = fresh
    assert s.ingest(str(PYDICOM_TEST_FILES / "CT_small.dcm")).stored == 1
    assert s.ingest(PYDICOM_TEST_FILES / "MR_small.dcm").stored == 1
    assert s.ingest((PYDICOM_TEST_FILES / "rtplan.dcm",)).stored == 1
    assert s.ingest([]).files == []


def test_reingest_reports_duplicates_and_changes_nothing(fresh):
    _, s = fresh
    first = s.ingest(sample_paths())
    before = [st.to_dict() for st in s.find_studies(sort="patient_id")]
    again = s.ingest(sample_paths())
    assert (again.stored, again.duplicates, again.rejected) == (0, 4, 1)
    status = {r.source: r.status for r in again.files}
    assert [status[p] for p in sample_paths()] == ["duplicate"] * 4 + ["rejected"]
    first_uids = {r.source: r.sop_uid for r in first.files}
    assert {r.source: r.sop_uid for r in again.files} == first_uids
    assert again.bytes_stored == 0
    assert [st.to_dict() for st in s.find_studies(sort="patient_id")] == before


def test_rejected_result_carries_code_and_message_not_an_exception(fresh):
    _, s = fresh
    r = s.ingest_bytes("garbage.dcm", b"\x00" * 10 + b"definitely not DICOM")
    assert isinstance(r, portal.IngestResult)
    assert r.status == "rejected"
    assert r.error is not None and r.error != "internal"
    assert r.message
    assert r.source == "garbage.dcm"
    assert r.sop_uid == ""
    assert s.find_studies().total == 0


def test_empty_bytes_are_rejected(fresh):
    _, s = fresh
    r = s.ingest_bytes("empty", b"")
    assert r.status == "rejected" and r.message


def test_ingest_bytes_stores_then_reports_duplicate(fresh):
    _, s = fresh
    data = (PYDICOM_TEST_FILES / "CT_small.dcm").read_bytes()
    r = s.ingest_bytes("upload/ct.dcm", data)
    assert (r.status, r.error, r.message) == ("stored", None, "")
    assert r.source == "upload/ct.dcm"
    assert r.size_bytes == len(data)
    assert s.instance_bytes(r.sop_uid) == data
    assert s.study(r.study_uid).repository == "upload"  # default for in-memory ingest
    again = s.ingest_bytes("again.dcm", bytearray(data))
    assert again.status == "duplicate" and again.sop_uid == r.sop_uid
    third = s.ingest_bytes("view.dcm", memoryview(data))
    assert third.status == "duplicate"


def test_repository_is_recorded_on_new_studies(fresh):
    _, s = fresh
    r1 = s.ingest(str(PYDICOM_TEST_FILES / "CT_small.dcm"))
    r2 = s.ingest(str(PYDICOM_TEST_FILES / "MR_small.dcm"), repository="pacs-east")
    r3 = s.ingest_bytes("x", (PYDICOM_TEST_FILES / "rtplan.dcm").read_bytes(), repository="web")
    assert s.study(r1.files[0].study_uid).repository == "import"
    assert s.study(r2.files[0].study_uid).repository == "pacs-east"
    assert s.study(r3.study_uid).repository == "web"


def test_progress_is_called_once_per_file_in_order(fresh):
    _, s = fresh
    calls = []
    report = s.ingest(sample_paths(), progress=lambda result, progress: calls.append((result, progress)))
    assert len(calls) == len(SAMPLES)
    assert [c[0] for c in calls] == report.files
    assert [c[1].files_done for c in calls] == list(range(1, len(SAMPLES) + 1))
    assert all(isinstance(c[0], portal.IngestResult) and isinstance(c[1], portal.IngestProgress)
               for c in calls)
    last = calls[-1][1]
    assert last.discovery_complete and last.files_found == len(SAMPLES)
    assert last.bytes_done >= report.bytes_stored
    # The objects handed to the callback are copies that outlive the ingest.
    assert calls[0][0].sop_uid == report.files[0].sop_uid


def test_progress_called_for_every_file_of_a_folder(fresh):
    _, s = fresh
    seen = []
    report = s.ingest(PYDICOM_TEST_FILES, progress=lambda r, p: seen.append(r.source))
    assert len(seen) == len(report.files) > 50
    assert sorted(seen) == sorted(r.source for r in report.files)


def test_progress_exception_is_raised_after_the_ingest_and_work_is_kept(fresh):
    _, s = fresh
    calls = []

    def progress(result, state):
        calls.append(result)
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        s.ingest(sample_paths(), progress=progress)
    assert len(calls) == 1  # no further calls after the first failure
    assert s.find_studies().total == 4  # acknowledged files stay stored


def test_collect_results_false_keeps_counts_only(fresh):
    _, s = fresh
    n = []
    report = s.ingest(sample_paths(), collect_results=False, progress=lambda r, p: n.append(r))
    assert report.files == []
    assert (report.stored, report.rejected) == (4, 1)
    assert len(n) == len(SAMPLES)


def test_ingest_releases_the_gil(tmp_path):
    """Another Python thread keeps running while the core ingests."""
    s = portal.open(tmp_path / "data", durable=True).system_session()
    span = {}

    def work():
        span["t0"] = time.monotonic()
        s.ingest(PYDICOM_TEST_FILES)
        span["t1"] = time.monotonic()

    t = threading.Thread(target=work)
    prev = time.monotonic()
    max_gap = 0.0
    t.start()
    while t.is_alive():
        now = time.monotonic()
        max_gap = max(max_gap, now - prev)
        prev = now
    t.join()
    duration = span["t1"] - span["t0"]
    assert duration > 0.02, "ingest too quick to tell; use more data"
    # Holding the GIL for the whole call would freeze this loop for about `duration`.
    assert max_gap < duration / 2, (max_gap, duration)


def test_later_ingests_are_visible_after_reading_a_study(fresh):
    """Reads must not pin an old snapshot of the index (each call sees committed data)."""
    _, s = fresh
    first = s.ingest(str(PYDICOM_TEST_FILES / "CT_small.dcm")).files[0]
    assert s.study(first.study_uid).uid == first.study_uid
    assert s.instance_bytes(first.sop_uid)
    second = s.ingest(str(PYDICOM_TEST_FILES / "MR_small.dcm")).files[0]
    assert second.status == "stored"
    assert s.find_studies().total == 2
    assert s.study(second.study_uid).num_instances == 1


def test_zip_archive_members_are_ingested(fresh, tmp_path):
    import zipfile

    _, s = fresh
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(PYDICOM_TEST_FILES / "CT_small.dcm", "a/CT_small.dcm")
        z.write(PYDICOM_TEST_FILES / "MR_small.dcm", "b/MR_small.dcm")
        z.writestr("notes.txt", "not dicom")
    report = s.ingest(archive)
    status = {r.source: r.status for r in report.files}
    assert status == {f"{archive}!a/CT_small.dcm": "stored", f"{archive}!b/MR_small.dcm": "stored",
                      f"{archive}!notes.txt": "rejected"}
    ct = next(r for r in report.files if r.source.endswith("CT_small.dcm"))
    assert s.instance_bytes(ct.sop_uid) == (PYDICOM_TEST_FILES / "CT_small.dcm").read_bytes()


def test_concurrent_ingests_with_callbacks_and_searches(tmp_path):
    """Several Python threads share one session; callbacks re-take the GIL from core threads."""
    s = portal.open(tmp_path / "data", durable=False).system_session()
    files = sorted(str(f) for f in PYDICOM_TEST_FILES.glob("*.dcm"))
    halves = [files[0::2], files[1::2]]
    calls = [[], []]
    reports = [None, None]
    errors = []

    def ingest(i):
        try:
            reports[i] = s.ingest(halves[i], progress=lambda r, p: calls[i].append(r.source))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def search():
        try:
            for _ in range(30):
                page = s.find_studies(limit=5)
                assert len(page) <= 5 and page.total >= len(page)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=ingest, args=(i,)) for i in (0, 1)]
    threads += [threading.Thread(target=search) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for i in (0, 1):
        assert sorted(calls[i]) == sorted(halves[i])
        assert sorted(r.source for r in reports[i].files) == sorted(halves[i])
    stored = reports[0].stored + reports[1].stored
    assert stored == len({r.sop_uid for rep in reports for r in rep.files if r.status == "stored"})
