"""Imaging from Python (API-3): pixels as numpy arrays, rendered images as bytes, under the same
access rules as every study call."""
import numpy as np
import pydicom
import pytest
from pydicom.pixel_data_handlers.util import apply_modality_lut

import portal
from conftest import PYDICOM_TEST_FILES


@pytest.fixture
def session(tmp_path):
    p = portal.open(str(tmp_path / "data"))
    return p, p.system_session()


def ingest_one(s, name):
    report = s.ingest(str(PYDICOM_TEST_FILES / name))
    assert report.stored == 1, report.files[0].message
    return report.files[0].sop_uid


def test_pixels_match_pydicom_as_stored_and_as_modality_values(session):
    _, s = session
    sop = ingest_one(s, "CT_small.dcm")
    ds = pydicom.dcmread(str(PYDICOM_TEST_FILES / "CT_small.dcm"))
    stored = s.pixels(sop, modality=False)
    assert stored.shape == (128, 128)
    assert np.array_equal(stored, ds.pixel_array)
    hu = s.pixels(sop)
    assert np.array_equal(hu, apply_modality_lut(ds.pixel_array, ds))


def test_every_frame_and_colour_arrays_have_the_right_shape(session):
    _, s = session
    sop = ingest_one(s, "SC_rgb_rle_2frame.dcm")
    ds = pydicom.dcmread(str(PYDICOM_TEST_FILES / "SC_rgb_rle_2frame.dcm"))
    every = s.pixels(sop, frame=-1)
    assert every.shape == (2, ds.Rows, ds.Columns, 3)
    assert np.array_equal(every, ds.pixel_array)
    assert s.pixels(sop, frame=1).shape == (ds.Rows, ds.Columns, 3)
    with pytest.raises(portal.InvalidArgumentError):
        s.pixels(sop, frame=2)


def test_render_thumbnail_and_frame_give_image_bytes(session):
    _, s = session
    sop = ingest_one(s, "CT_small.dcm")
    jpeg = s.render(sop, window=(40, 400), quality=80)
    assert jpeg[:3] == b"\xff\xd8\xff"
    png = s.render(sop, format="png", width=64, height=64, preset="bone")
    assert png[1:4] == b"PNG"
    assert int.from_bytes(png[16:20], "big") == 64
    assert s.thumbnail(sop, size=32)[:3] == b"\xff\xd8\xff"
    raw = s.frame(sop, 0, transfer="uncompressed")
    assert len(raw.bytes) == 128 * 128 * 2 and raw.rows == 128
    with pytest.raises(portal.InvalidArgumentError):
        s.render(sop, format="gif")
    with pytest.raises(portal.InvalidArgumentError):
        s.frame(sop, 0, transfer="teleport")


def test_instances_without_pixels_or_out_of_sight_are_refused(session, tmp_path):
    p, s = session
    plan = ingest_one(s, "rtplan.dcm")
    with pytest.raises(portal.UnsupportedError):
        s.pixels(plan)
    ct = ingest_one(s, "CT_small.dcm")
    p.create_first_administrator(login="root", emails="root@example.org",
                                 password="correct horse battery staple 42")
    s.add_user(login="g", emails="g@example.org", profile="guest",
               password="correct horse battery staple 42")
    guest = p.sign_in("g", "correct horse battery staple 42")
    for call in (lambda: guest.pixels(ct), lambda: guest.render(ct), lambda: guest.thumbnail(ct)):
        with pytest.raises(portal.NotFoundError):
            call()
