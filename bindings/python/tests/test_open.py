"""portal.open, Portal and Session basics."""

import pathlib

import pytest

from conftest import portal


def test_open_creates_the_data_directory(tmp_path):
    target = tmp_path / "nested" / "data"
    p = portal.open(str(target))
    assert target.is_dir()
    assert p.data_dir == str(target)
    assert "Portal" in repr(p) and str(target) in repr(p)


def test_open_accepts_path_like(tmp_path):
    p = portal.open(pathlib.Path(tmp_path) / "d", durable=False)
    assert isinstance(p, portal.Portal)
    assert pathlib.Path(p.data_dir) == tmp_path / "d"


def test_open_on_a_file_raises_a_portal_error(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(portal.Error):
        portal.open(f / "sub")


def test_system_session_sees_an_empty_portal(fresh):
    p, s = fresh
    assert isinstance(s, portal.Session)
    assert s.principal == "system"
    page = s.find_studies()
    assert len(page) == 0 and page.total == 0 and not page.truncated
    assert list(page) == []


def test_search_limits_come_from_options(tmp_path):
    p = portal.open(tmp_path / "d", durable=False, search_default_limit=7, search_max_limit=9)
    s = p.system_session()
    assert s.find_studies().limit == 7
    assert s.find_studies(limit=3).limit == 3
    assert s.find_studies(limit=1000).limit == 9  # clamped


def test_default_limit_is_150(fresh):
    _, s = fresh
    assert s.find_studies().limit == 150


def test_data_survives_reopening(tmp_path):
    from conftest import PYDICOM_TEST_FILES

    d = tmp_path / "d"
    p = portal.open(d)
    r = p.system_session().ingest(str(PYDICOM_TEST_FILES / "CT_small.dcm"))
    assert r.stored == 1
    uid = r.files[0].study_uid
    del p
    again = portal.open(d)
    assert again.system_session().study(uid).uid == uid


def test_fsck_on_empty_portal_is_clean(fresh):
    p, _ = fresh
    report = p.fsck()
    assert report.clean is True
    assert report.issues == []
    assert report.instances_checked == 0 and report.repaired == 0
