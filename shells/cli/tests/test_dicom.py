"""DICOM networking through the `portal` command (issue [http], PLAT-2): `portal dicom listen`
against DCMTK's echoscu/storescu, and `portal send STUDY --to NODE` to a second listener."""
import os
import signal
import socket
import subprocess
import time

from conftest import Cli, PYDICOM_TEST_FILES
from test_accounts import variant


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Listener:
    """`portal dicom listen` in the background; stopped with SIGTERM."""

    def __init__(self, cli, *args):
        self.proc = subprocess.Popen(cli.command("dicom", "listen", *args), env=cli.env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("listening on 127.0.0.1:"), line + self.proc.stderr.read()
        self.banner = line

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, out, err


def dcmtk(*argv):
    env = dict(os.environ, TCP_NODELAY="1")
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, env=env,
                          timeout=60)


def test_listen_answers_echo_stores_and_stops_on_sigterm(cli):
    port = free_port()
    listener = Listener(cli, "--port", port, "--aet", "CLITEST")
    try:
        assert "as CLITEST" in listener.banner
        assert dcmtk("echoscu", "-aec", "CLITEST", "127.0.0.1", port).returncode == 0
        files = [PYDICOM_TEST_FILES / "CT_small.dcm", PYDICOM_TEST_FILES / "MR_small.dcm"]
        r = dcmtk("storescu", "-aet", "SCANNER", "-aec", "CLITEST", "127.0.0.1", port, *files)
        assert r.returncode == 0, r.stderr
        # A wrong called AE is refused.
        assert dcmtk("echoscu", "-aec", "NOTUS", "127.0.0.1", port).returncode != 0
    finally:
        code, out, err = listener.stop()
    assert code == 0, err
    assert "2 stored" in out and "1 refused" in out and "1 echo" in out
    studies = cli.json("studies")["studies"]
    assert len(studies) == 2
    assert {s["repository"] for s in studies} == {"dicom:SCANNER"}


def test_listen_refuses_calling_aes_not_allowed(cli, tmp_path):
    (tmp_path / "data" / "portal.toml").write_text('[dicom]\nallowed_aets = ["GOOD"]\n')
    port = free_port()
    listener = Listener(cli, "--port", port)
    try:
        f = PYDICOM_TEST_FILES / "CT_small.dcm"
        assert dcmtk("storescu", "-aet", "EVIL", "-aec", "PORTAL", "127.0.0.1", port,
                     f).returncode != 0
        assert cli.json("studies")["total"] == 0
        assert dcmtk("storescu", "-aet", "GOOD", "-aec", "PORTAL", "127.0.0.1", port,
                     f).returncode == 0
    finally:
        listener.stop()
    assert cli.json("studies")["total"] == 1


def test_send_study_to_a_configured_node(cli, tmp_path, portal_bin):
    target = Cli(portal_bin, tmp_path / "target")
    target.run("init", expect=0)
    port = free_port()
    (tmp_path / "data" / "portal.toml").write_text(
        f'[[dicom.nodes]]\nname = "archive"\naet = "ARCHIVE"\nhost = "127.0.0.1"\nport = {port}\n')
    path, uid = variant(tmp_path, "tosend", PatientID="S1", PatientName="Envoi^Eve")
    cli.run("ingest", path, expect=0)
    listener = Listener(target, "--port", port, "--aet", "ARCHIVE")
    try:
        out = cli.json("send", uid, "--to", "archive")
        assert out == {"node": "archive", "sent": 1, "failed": 0, "failures": []}
        assert "1 instance(s) sent to archive" in cli.run("send", uid, "--to", "archive",
                                                          expect=0).stdout
    finally:
        listener.stop()
    got = target.json("studies")["studies"]
    assert [s["uid"] for s in got] == [uid]
    assert got[0]["repository"] == "dicom:PORTAL"
    # Unknown node or study: not found; the node gone: I/O error.
    assert cli.run("send", uid, "--to", "nowhere").returncode == 5
    assert cli.run("send", "1.2.3.4", "--to", "archive").returncode == 5
    assert cli.run("send", uid, "--to", "archive").returncode == 8
    assert cli.run("send", uid).returncode == 2


def test_listen_on_a_busy_port_is_an_io_error(cli):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = cli.run("dicom", "listen", "--port", port, timeout=30)
    assert r.returncode == 8
    assert "cannot listen" in r.stderr
    assert cli.run("dicom", "listen", "--port", "x").returncode == 2
