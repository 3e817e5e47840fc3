"""DICOM networking and desktop-viewer tokens from Python (PLAT-2, LIST-7): Session.send_study,
Session.viewer_token, Portal.viewer_session."""
import datetime
import pathlib
import signal
import socket
import subprocess

import pytest

import portal
from conftest import PYDICOM_TEST_FILES

PASSWORD = "correct horse battery staple 42"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli_binary():
    # The `portal` CLI of the same build tree serves as the receiving node.
    path = pathlib.Path(portal.__file__).resolve().parents[2] / "shells" / "cli" / "portal"
    if not path.exists():
        pytest.skip(f"no portal CLI beside the module ({path})")
    return path


@pytest.fixture
def world(tmp_path):
    clock = portal.ManualClock(datetime.datetime(2026, 1, 10, 12, 0))
    port = free_port()
    p = portal.open(str(tmp_path / "data"), clock=clock, load_config=False,
                    dicom_nodes=[("archive", "ARCHIVE", "127.0.0.1", port)])
    s = p.system_session()
    uid = s.ingest(str(PYDICOM_TEST_FILES / "CT_small.dcm")).files[0].study_uid
    other = s.ingest(str(PYDICOM_TEST_FILES / "MR_small.dcm")).files[0].study_uid
    p.create_first_administrator(login="root", emails="root@example.org", password=PASSWORD)
    s.add_user(login="g", emails="g@example.org", profile="guest", password=PASSWORD)
    s.share_with_user(uid, "g")
    return p, s, uid, other, clock, port


def test_viewer_token_opens_one_study_until_it_expires(world):
    p, s, uid, other, clock, _ = world
    guest = p.sign_in("g", PASSWORD)
    with pytest.raises(portal.NotFoundError):
        guest.viewer_token(other)
    token = guest.viewer_token(uid)
    viewer = p.viewer_session(token)
    assert [x.uid for x in viewer.find_studies()] == [uid]
    with pytest.raises(portal.NotFoundError):
        viewer.study(other)
    with pytest.raises(portal.PermissionDeniedError):
        viewer.share(uid, "x@example.org")
    clock.advance(datetime.timedelta(minutes=61))
    with pytest.raises(portal.UnauthenticatedError):
        viewer.study(uid)
    with pytest.raises(portal.UnauthenticatedError):
        p.viewer_session(token)


def test_send_study_errors(world):
    p, s, uid, other, _, _ = world
    with pytest.raises(portal.NotFoundError):
        s.send_study(uid, "nowhere")
    with pytest.raises(portal.NotFoundError):
        p.sign_in("g", PASSWORD).send_study(other, "archive")
    with pytest.raises(portal.IoError):
        s.send_study(uid, "archive")  # nobody listens on the node's port


def test_send_study_to_a_listening_node(world, tmp_path):
    p, s, uid, _, _, port = world
    binary = cli_binary()
    target = tmp_path / "target"
    subprocess.run([str(binary), "--data", str(target), "init"], check=True, capture_output=True)
    proc = subprocess.Popen([str(binary), "--data", str(target), "dicom", "listen", "--port",
                             str(port), "--aet", "ARCHIVE"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("listening on 127.0.0.1:")
        report = s.send_study(uid, "archive")
        assert (report.node, report.sent, report.failed, report.failures) == ("archive", 1, 0, [])
        assert "SendReport" in repr(report)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert "1 stored" in out
    received = portal.open(str(target), load_config=False).system_session().study(uid)
    assert received.repository == "dicom:PORTAL"
