"""DICOMweb over a real portald (PLAT-1): QIDO-RS, WADO-RS, STOW-RS, the desktop-viewer link
(LIST-7), the npm package dicomweb-client round trip, and DCMTK storescu / echoscu against the
C-STORE receiver portald starts with --dicom-port (PLAT-2)."""
import json
import os
import pathlib
import shutil
import socket
import subprocess
import urllib.parse
import uuid

import pytest

from conftest import PASSWORD, REPO, Server, run_cli

PYDICOM_FILES = pathlib.Path("/usr/lib/python3/dist-packages/pydicom/data/test_files")
CT_SMALL = PYDICOM_FILES / "CT_small.dcm"
MR_SMALL = PYDICOM_FILES / "MR_small.dcm"
CT_SMALL_STUDY = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"
CT_SMALL_SOP = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322"
MR_SMALL_STUDY = "1.3.6.1.4.1.5962.1.2.4.20040826185059.5457"
NODE_DIR = REPO / "shells" / "http" / "tests" / "dicomweb-client"


def value(obj, tag):
    """The first value of a DICOM JSON attribute (PS3.18 F.2)."""
    v = obj[tag].get("Value", [None])[0]
    return v["Alphabetic"] if isinstance(v, dict) and "Alphabetic" in v else v


def parse_multipart(response):
    """(part headers, part body) of a multipart/related answer, checked to be well framed."""
    ctype = response.header("Content-Type")
    assert ctype.startswith("multipart/related"), ctype
    params = dict(p.strip().split("=", 1) for p in ctype.split(";")[1:])
    boundary = params["boundary"].strip('"').encode()
    body = response.body
    assert body.startswith(b"--" + boundary + b"\r\n"), body[:100]
    assert body.rstrip(b"\r\n").endswith(b"--" + boundary + b"--")
    parts = []
    for chunk in body.split(b"--" + boundary)[1:-1]:
        assert chunk.startswith(b"\r\n") and chunk.endswith(b"\r\n")
        head, _, data = chunk[2:-2].partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode().split("\r\n"):
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        parts.append((headers, data))
    return parts


def stow_body(parts, boundary=None):
    boundary = boundary or "stow" + uuid.uuid4().hex
    out = b""
    for data in parts:
        out += f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f'multipart/related; type="application/dicom"; boundary={boundary}'


def pat(client, name="dicomweb"):
    r = client.post("/api/me/tokens", {"name": name})
    assert r.status == 201, r
    return r.json()["token"]


@pytest.fixture(scope="module")
def api(server, admin):
    c = server.client()
    c.bearer = pat(admin)
    return c


@pytest.fixture(scope="module")
def ascii_study(server):
    return next(s for s in server.manifest["studies"]
                if s["family_name"].isascii() and s["family_name"].isalpha()
                and len(s["family_name"]) >= 4)


# --- QIDO-RS -------------------------------------------------------------------------------------

def test_qido_studies_series_instances(server, api, ascii_study):
    s = ascii_study
    r = api.get("/dicom-web/studies?limit=1000")
    assert r.status == 200 and r.header("Content-Type") == "application/dicom+json"
    all_uids = [value(o, "0020000D") for o in r.json()]
    # Every generated study (other tests of this server may have stored more).
    assert len(all_uids) == len(set(all_uids))
    assert {x["study_uid"] for x in server.manifest["studies"]} <= set(all_uids)
    # limit / offset page through the same list.
    first = api.get("/dicom-web/studies?limit=3").json()
    second = api.get("/dicom-web/studies?limit=3&offset=3").json()
    assert len(first) == 3 and len(second) == 3
    assert not {value(o, "0020000D") for o in first} & {value(o, "0020000D") for o in second}
    # Series and instances of one study, at every level.
    series = api.get(f"/dicom-web/studies/{s['study_uid']}/series").json()
    assert sorted(value(o, "0020000E") for o in series) == sorted(x["uid"] for x in s["series"])
    assert sorted(value(o, "0020000E") for o in api.get(
        f"/dicom-web/series?StudyInstanceUID={s['study_uid']}").json()) == \
        sorted(x["uid"] for x in s["series"])
    se = s["series"][0]
    inst = api.get(f"/dicom-web/studies/{s['study_uid']}/series/{se['uid']}/instances").json()
    assert sorted(value(o, "00080018") for o in inst) == sorted(i["uid"] for i in se["instances"])
    inst = api.get(f"/dicom-web/studies/{s['study_uid']}/instances").json()
    assert len(inst) == s["num_instances"]
    one = api.get(f"/dicom-web/instances?SOPInstanceUID={se['instances'][0]['uid']}").json()
    assert [value(o, "0020000D") for o in one] == [s["study_uid"]]
    # Bad keys and values are 400 with the one error shape.
    bad = api.get("/dicom-web/studies?limit=many")
    assert bad.status == 400 and set(bad.json()["error"]) == {"code", "message"}
    assert api.get("/dicom-web/studies?StudyDate=2020-13").status == 400


def test_qido_fuzzy_name_and_date_range(server, api, ascii_study):
    s = ascii_study
    prefix = s["family_name"][:3].lower()
    fuzzy = api.get(f"/dicom-web/studies?PatientName={prefix}&fuzzymatching=true&limit=1000").json()
    assert s["study_uid"] in {value(o, "0020000D") for o in fuzzy}
    for o in fuzzy:
        words = str(value(o, "00100010")).lower().replace("^", " ").split()
        assert any(w.startswith(prefix) for w in words), o["00100010"]
    exact = api.get(f"/dicom-web/studies?PatientName={prefix}&limit=1000").json()
    assert s["study_uid"] not in {value(o, "0020000D") for o in exact}  # no wildcard, no fuzzy
    d = s["study_date"]
    ranged = api.get(f"/dicom-web/studies?StudyDate={d}-{d}&limit=1000").json()
    assert s["study_uid"] in {value(o, "0020000D") for o in ranged}
    assert all(value(o, "00080020") == d for o in ranged)
    want = {x["study_uid"] for x in server.manifest["studies"] if x["study_date"] >= d}
    before = {x["study_uid"] for x in server.manifest["studies"] if x["study_date"] < d}
    after = {value(o, "0020000D") for o in
             api.get(f"/dicom-web/studies?StudyDate={d}-&limit=1000").json()}
    assert want <= after and not before & after


def test_guest_qido_lists_only_the_shared_study(server, admin, ascii_study):
    login = "dwguest"
    r = admin.post("/api/admin/users", {"login": login, "emails": [f"{login}@example.org"],
                                        "first_name": "Dw", "last_name": "Guest",
                                        "profile": "guest", "password": PASSWORD})
    assert r.status == 201, r
    assert admin.post(f"/api/studies/{ascii_study['study_uid']}/shares/user",
                      {"login": login}).status == 201
    guest = server.client()
    guest.sign_in(login)
    studies = guest.get("/dicom-web/studies?limit=1000").json()
    assert [value(o, "0020000D") for o in studies] == [ascii_study["study_uid"]]
    other = next(x for x in server.manifest["studies"] if x["study_uid"] != ascii_study["study_uid"])
    assert guest.get(f"/dicom-web/studies/{other['study_uid']}/series").status == 404
    assert guest.get(f"/dicom-web/series?StudyInstanceUID={other['study_uid']}").json() == []
    # A guest may not store (no upload right).
    body, ctype = stow_body([CT_SMALL.read_bytes()])
    assert guest.post("/dicom-web/studies", body=body,
                      headers={"Content-Type": ctype}).status == 403


# --- WADO-RS -------------------------------------------------------------------------------------

def test_retrieve_multipart_parts_are_the_stored_files(server, api, studies, ascii_study):
    folder, _ = studies
    s = ascii_study
    se = s["series"][0]
    r = api.get(f"/dicom-web/studies/{s['study_uid']}/series/{se['uid']}")
    assert r.status == 200
    parts = parse_multipart(r)
    assert len(parts) == se["num_instances"]
    originals = {(folder / s["path"] / i["file"]) if not (folder / i["file"]).exists()
                 else (folder / i["file"]) for i in se["instances"]}
    original_bytes = {p.read_bytes() for p in originals}
    for headers, data in parts:
        assert headers["content-type"].startswith("application/dicom")
        assert data in original_bytes  # byte for byte the file as ingested
        original_bytes.discard(data)
    assert not original_bytes
    # Study and instance levels; the instance is what /api/instances/{sop}/file gives.
    sop = se["instances"][0]["uid"]
    inst = parse_multipart(api.get(
        f"/dicom-web/studies/{s['study_uid']}/series/{se['uid']}/instances/{sop}"))
    assert len(inst) == 1 and inst[0][1] == api.get(f"/api/instances/{sop}/file").body
    whole = parse_multipart(api.get(f"/dicom-web/studies/{s['study_uid']}"))
    assert len(whole) == s["num_instances"]
    # An Accept the server cannot honour is 406, with the error shape.
    r = api.get(f"/dicom-web/studies/{s['study_uid']}", headers={"Accept": "application/zip"})
    assert r.status == 406 and "error" in r.json()


def test_metadata_bulkdata_frames_rendered_thumbnails(server, api, ascii_study):
    s = ascii_study
    se = s["series"][0]
    sop = se["instances"][0]["uid"]
    base = f"/dicom-web/studies/{s['study_uid']}/series/{se['uid']}/instances/{sop}"
    meta = api.get(base + "/metadata")
    assert meta.status == 200 and meta.header("Content-Type") == "application/dicom+json"
    (m,) = meta.json()
    assert value(m, "00080018") == sop and value(m, "0020000D") == s["study_uid"]
    assert value(m, "00280010") == se["rows"] and value(m, "00280011") == se["columns"]
    uri = m["7FE00010"]["BulkDataURI"]
    assert uri == f"http://127.0.0.1:{server.port}{base}/bulkdata/7fe00010"
    assert len(api.get(f"/dicom-web/studies/{s['study_uid']}/metadata").json()) == s["num_instances"]
    assert len(api.get(f"/dicom-web/studies/{s['study_uid']}/series/{se['uid']}/metadata")
               .json()) == se["num_instances"]
    frame_bytes = se["rows"] * se["columns"] * (se["bits_allocated"] // 8) * \
        (3 if se["photometric"].startswith(("RGB", "YBR")) else 1)
    (bulk,) = parse_multipart(api.get(urllib.parse.urlparse(uri).path))
    assert len(bulk[1]) == frame_bytes * se["frames_per_instance"]
    assert api.get(base + "/bulkdata/00100010").status == 404
    # Frames: uncompressed by default, lossy JPEG when asked, 406 for what cannot be made.
    (raw,) = parse_multipart(api.get(base + "/frames/1"))
    assert len(raw[1]) == frame_bytes and raw[1] == bulk[1][:frame_bytes]
    jpeg = parse_multipart(api.get(base + "/frames/1", headers={
        "Accept": 'multipart/related; type="image/jpeg"; transfer-syntax=1.2.840.10008.1.2.4.50'}))
    assert jpeg[0][0]["content-type"].startswith("image/jpeg") and jpeg[0][1][:2] == b"\xff\xd8"
    assert api.get(base + "/frames/1", headers={
        "Accept": 'multipart/related; type="image/jp2"'}).status == 406
    assert api.get(base + "/frames/0").status == 404  # frame numbers are 1-based (route syntax)
    assert api.get(base + "/frames/999").status == 400
    assert api.get(base + "/frames/" + ",".join(["1"] * 101)).status == 404  # at most 100
    # Rendered and thumbnails.
    r = api.get(base + "/rendered")
    assert r.status == 200 and r.header("Content-Type") == "image/jpeg" and r.body[:2] == b"\xff\xd8"
    r = api.get(base + "/frames/1/rendered", headers={"Accept": "image/png"})
    assert r.header("Content-Type") == "image/png" and r.body[:8] == b"\x89PNG\r\n\x1a\n"
    for path in (f"/dicom-web/studies/{s['study_uid']}/thumbnail",
                 f"/dicom-web/studies/{s['study_uid']}/series/{se['uid']}/thumbnail",
                 base + "/thumbnail?viewport=64,64"):
        r = api.get(path)
        assert r.status == 200 and r.body[:2] == b"\xff\xd8", (path, r)


# --- STOW-RS -------------------------------------------------------------------------------------

def test_stow_pydicom_files_with_a_corrupt_part(server, admin, api):
    body, ctype = stow_body([CT_SMALL.read_bytes(), b"DICM but not really" * 10,
                             MR_SMALL.read_bytes()])
    r = api.post("/dicom-web/studies", body=body, headers={"Content-Type": ctype})
    assert r.status == 202, r
    out = r.json()
    referenced = out["00081199"]["Value"]
    failed = out["00081198"]["Value"]
    assert len(referenced) == 2 and len(failed) == 1
    assert value(failed[0], "00081197") == 0xC000
    urls = {value(i, "00081190") for i in referenced}
    assert f"http://127.0.0.1:{server.port}/dicom-web/studies/{CT_SMALL_STUDY}/series/" in \
        "".join(urls)
    # Stored: QIDO finds it and WADO gives back the file byte for byte.
    found = api.get(f"/dicom-web/instances?SOPInstanceUID={CT_SMALL_SOP}").json()
    assert len(found) == 1
    series_uid = value(found[0], "0020000E")
    (part,) = parse_multipart(api.get(
        f"/dicom-web/studies/{CT_SMALL_STUDY}/series/{series_uid}/instances/{CT_SMALL_SOP}"))
    assert part[1] == CT_SMALL.read_bytes()
    # Again into its own study: a duplicate, 200. Into that study, MR_small (another) fails: 409.
    body, ctype = stow_body([CT_SMALL.read_bytes()])
    assert api.post(f"/dicom-web/studies/{CT_SMALL_STUDY}", body=body,
                    headers={"Content-Type": ctype}).status == 200
    body, ctype = stow_body([MR_SMALL.read_bytes()])
    r = api.post(f"/dicom-web/studies/{CT_SMALL_STUDY}", body=body, headers={"Content-Type": ctype})
    assert r.status == 409 and value(r.json()["00081198"]["Value"][0], "00081197") == 0xC409
    # Not multipart, a wrong part type, a cookie without CSRF: refused, nothing stored.
    assert api.post("/dicom-web/studies", body=b"x", headers={
        "Content-Type": "application/dicom"}).status == 400
    assert api.post("/dicom-web/studies", body=body, headers={
        "Content-Type": ctype.replace("application/dicom", "application/pdf")}).status == 415
    assert admin.request("POST", "/dicom-web/studies", body=body, csrf=False,
                         headers={"Content-Type": ctype}).status == 403
    assert admin.request("POST", "/dicom-web/studies", body=body,
                         headers={"Content-Type": ctype}).status == 200  # with CSRF
    assert server.client().post("/dicom-web/studies", body=body,
                                headers={"Content-Type": ctype}).status == 401
    # The body cap is the upload cap, checked from Content-Length before reading.
    r = api.request("POST", "/dicom-web/studies", body=b"", headers={
        "Content-Type": ctype, "Content-Length": str(4 << 30)})
    assert r.status == 413


# --- Desktop viewer (LIST-7) ---------------------------------------------------------------------

def test_desktop_viewer_token_opens_that_study_only(server, admin, ascii_study):
    s = ascii_study
    other = next(x for x in server.manifest["studies"] if x["study_uid"] != s["study_uid"])
    r = admin.get(f"/api/studies/{s['study_uid']}/desktop-viewer")
    assert r.status == 200, r
    url = r.json()["url"]
    assert url.startswith("weasis://?")
    command = urllib.parse.unquote(url[len("weasis://?"):])
    assert f"http://127.0.0.1:{server.port}/dicom-web" in command
    assert f"studyUID={s['study_uid']}" in command
    token = command.split("Authorization: Bearer ", 1)[1].split('"')[0]
    viewer = server.client()
    viewer.bearer = token
    assert viewer.get(f"/dicom-web/studies/{s['study_uid']}/metadata").status == 200
    assert [value(o, "0020000D") for o in viewer.get("/dicom-web/studies").json()] == \
        [s["study_uid"]]
    assert viewer.get(f"/dicom-web/studies/{other['study_uid']}/metadata").status == 404
    # Read-only, DICOMweb only.
    body, ctype = stow_body([CT_SMALL.read_bytes()])
    assert viewer.post("/dicom-web/studies", body=body, headers={"Content-Type": ctype}).status == 403
    assert viewer.get(f"/api/studies/{s['study_uid']}").status == 401
    assert server.client().get(
        "/api/studies/1.2.826.0.1.3680043.8.498.999999999/desktop-viewer").status == 401
    assert admin.get("/api/studies/1.2.826.0.1.3680043.8.498.999999999/desktop-viewer").status == 404


# --- dicomweb-client (npm) -----------------------------------------------------------------------

def test_dicomweb_client_round_trip(server, admin):
    node = shutil.which("node")
    assert node, "node (Debian nodejs) is needed: scripts/install-deps.sh"
    if not (NODE_DIR / "node_modules" / "dicomweb-client").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True,
                       capture_output=True, timeout=300)
    token = pat(admin, "dicomweb-client")
    files = [PYDICOM_FILES / "MR_small.dcm", PYDICOM_FILES / "SC_rgb_small_odd.dcm"]
    proc = subprocess.run([node, str(NODE_DIR / "roundtrip.js"),
                           f"http://127.0.0.1:{server.port}/dicom-web", token,
                           *map(str, files)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert len(out["stored"]) == 2
    assert MR_SMALL_STUDY in out["studies"]
    for inst in out["instances"]:
        assert inst["metadata_sop"] == inst["sop"]
        assert inst["pixel_bulkdata"].endswith(f"/instances/{inst['sop']}/bulkdata/7fe00010")
        assert inst["frame_count"] == 1
    mr = next(i for i in out["instances"] if i["study"] == MR_SMALL_STUDY)
    assert (mr["rows"], mr["columns"]) == (64, 64)
    assert mr["frame_bytes"] == [64 * 64 * 2]
    sc = next(i for i in out["instances"] if i["study"] != MR_SMALL_STUDY)
    assert sc["frame_bytes"] == [sc["rows"] * sc["columns"] * 3]


# --- DCMTK against the receiver portald starts (PLAT-2) ------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_storescu_and_echoscu_against_portald(tmp_path, portald_bin, cli_bin):
    data = tmp_path / "data"
    run_cli(cli_bin, data, "init")
    run_cli(cli_bin, data, "admin", "create", "admin", "--email", "admin@example.org",
            "--password-stdin", stdin=PASSWORD + "\n")
    (data / "portal.toml").write_text("[http]\nmail_interval_seconds = 3600\naccess_log = \"\"\n")
    port = free_port()
    srv = Server(portald_bin, data, extra_args=["--dicom-port", str(port)])
    try:
        assert f"DICOM receiver PORTAL listening on 127.0.0.1:{port}" in srv.log_path.read_text()
        env = dict(os.environ, TCP_NODELAY="1")
        echo = subprocess.run(["echoscu", "-aec", "PORTAL", "127.0.0.1", str(port)],
                              capture_output=True, text=True, timeout=60, env=env)
        assert echo.returncode == 0, echo.stderr
        bad = subprocess.run(["echoscu", "-aec", "NOTPORTAL", "127.0.0.1", str(port)],
                             capture_output=True, text=True, timeout=60, env=env)
        assert bad.returncode != 0
        store = subprocess.run(["storescu", "-aec", "PORTAL", "127.0.0.1", str(port),
                                str(CT_SMALL), str(MR_SMALL)],
                               capture_output=True, text=True, timeout=60, env=env)
        assert store.returncode == 0, store.stderr
        admin = srv.client()
        admin.sign_in("admin")
        found = {value(o, "0020000D") for o in admin.get("/dicom-web/studies").json()}
        assert found == {CT_SMALL_STUDY, MR_SMALL_STUDY}
        (part,) = parse_multipart(admin.get(
            f"/dicom-web/studies/{CT_SMALL_STUDY}/series/"
            + value(admin.get(f"/dicom-web/studies/{CT_SMALL_STUDY}/series").json()[0], "0020000E")
            + f"/instances/{CT_SMALL_SOP}"))
        assert part[1][128:132] == b"DICM"
    finally:
        assert srv.stop() == 0
    assert "portald stopped" in srv.log_path.read_text()
