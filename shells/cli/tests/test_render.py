"""`portal render` and `portal thumbnail` (issue [imaging] item 8, first part)."""
import json

from conftest import PYDICOM_TEST_FILES


def stored_sop(cli, name="CT_small.dcm"):
    report = cli.json("ingest", PYDICOM_TEST_FILES / name)
    return report["files"][0]["sop_uid"]


def test_render_writes_jpeg_and_png_with_the_asked_size(cli, tmp_path):
    sop = stored_sop(cli)
    out = tmp_path / "ct.jpg"
    cli.run("render", sop, "--window", "40,400", "--quality", "80", "-o", out, expect=0)
    assert out.read_bytes()[:3] == b"\xff\xd8\xff"
    png = tmp_path / "ct.png"
    cli.run("render", sop, "--format", "png", "--size", "64x64", "--preset", "bone", "-o", png,
            expect=0)
    data = png.read_bytes()
    assert data[1:4] == b"PNG"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (64, 64)
    thumb = tmp_path / "t.jpg"
    cli.run("thumbnail", sop, "--size", "32", "-o", thumb, expect=0)
    assert thumb.read_bytes()[:3] == b"\xff\xd8\xff"


def test_render_refuses_bad_options_and_unknown_instances(cli, tmp_path):
    sop = stored_sop(cli)
    out = tmp_path / "x.jpg"
    assert cli.run("render", sop, "--window", "forty", "-o", out).returncode == 2
    assert cli.run("render", sop, "--format", "gif", "-o", out).returncode == 2
    assert cli.run("render", sop, "--frame", "7", "-o", out).returncode == 2
    assert cli.run("render", "1.2.3.4", "-o", out).returncode == 5
    assert not out.exists()


def test_an_instance_without_pixels_is_refused_clearly(cli, tmp_path):
    sop = stored_sop(cli, "rtplan.dcm")
    proc = cli.run("render", sop, "-o", tmp_path / "plan.jpg")
    assert proc.returncode == 2
    assert "pixel" in proc.stderr.lower()
