"""The JSON API over a real portald: every route answers as docs/openapi.yaml says, with the
core's behaviour behind it (accounts ACC-1..8, search LIST-3..5, uploads ING-1..4, sharing
DIF-5/6, imaging, exports, administration, operations)."""
import base64
import io
import json
import unicodedata
import urllib.parse
import pathlib
import zipfile

import pytest

from conftest import PASSWORD, deliver, png_bytes, wait_for_token, REPO

PYDICOM = pathlib.Path("/usr/lib/python3/dist-packages/pydicom/data/test_files")


def fold(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c)).lower()


def study_of(server, **match):
    for s in server.manifest["studies"]:
        if all(s[k] == v for k, v in match.items()):
            return s
    raise KeyError(match)


# --- accounts --------------------------------------------------------------------------------

def test_registration_confirmation_activation_and_sign_in(server, admin, cli_bin):
    anon = server.client()
    cap = anon.post("/api/captcha", {})
    assert cap.status == 200
    assert base64.b64decode(cap.json()["png_base64"]).startswith(b"\x89PNG")
    form = {"login": "newdoc", "email": "newdoc@example.org", "first_name": "New",
            "last_name": "Doctor", "password": PASSWORD, "password_confirmation": PASSWORD}
    r = anon.post("/api/register", form)
    assert r.status == 201, r
    assert r.json()["state"] == "awaiting_confirmation"
    assert anon.post("/api/register", form).status == 409  # login taken
    bad = dict(form, login="other", email="other@example.org", password_confirmation="x")
    assert anon.post("/api/register", bad).json()["error"]["code"] == "invalid_argument"
    deliver(cli_bin, server.data_dir)
    token = wait_for_token(server.data_dir, "newdoc@example.org", "/confirm")
    assert anon.post("/api/register/confirm", {"token": token}).status == 204
    assert anon.post("/api/register/confirm", {"token": token}).status == 404  # single use
    assert anon.post("/api/session", {"login": "newdoc", "password": PASSWORD}).status == 401
    assert admin.post("/api/admin/users/newdoc/activate").status == 204
    c = server.client()
    c.sign_in("newdoc")
    assert c.get("/api/me").json()["state"] == "active"


def test_wrong_password_is_401_with_the_error_shape(server):
    r = server.client().post("/api/session", {"login": "admin", "password": "nope"})
    assert r.status == 401
    assert r.json() == {"error": {"code": "unauthenticated", "message": "wrong login or password"}}


def test_lost_password_and_reset(server, admin, cli_bin):
    assert admin.post("/api/admin/users", {"login": "forgetful", "emails": ["f@example.org"],
                                           "password": PASSWORD}).status == 201
    anon = server.client()
    r = anon.post("/api/password/lost", {"login": "forgetful"})
    assert r.status == 202
    # Same answer for an unknown account (ACC-4).
    assert anon.post("/api/password/lost", {"login": "nobody-here"}).status == 202
    deliver(cli_bin, server.data_dir)
    token = wait_for_token(server.data_dir, "f@example.org", "/reset-password")
    new = PASSWORD + "-2"
    assert anon.post("/api/password/reset", {"token": token, "password": new}).status == 204
    assert anon.post("/api/session", {"login": "forgetful", "password": PASSWORD}).status == 401
    server.client().sign_in("forgetful", new)


def test_invitation_registers_a_guest(server, admin, cli_bin):
    r = admin.post("/api/invitations", {"email": "invitee@example.org"})
    assert r.status == 201, r
    assert r.json()["email"] == "invitee@example.org" and "token" not in r.json()
    deliver(cli_bin, server.data_dir)
    token = wait_for_token(server.data_dir, "invitee@example.org", "/invitation")
    anon = server.client()
    r = anon.post("/api/invitations/accept", {
        "token": token, "login": "invitee", "first_name": "In", "last_name": "Vitee",
        "password": PASSWORD, "password_confirmation": PASSWORD})
    assert r.status == 201, r
    assert r.json()["profile"] == "guest" and r.json()["emails"] == ["invitee@example.org"]


def test_own_account_preferences_and_password(server, admin):
    assert admin.post("/api/admin/users", {"login": "selfie", "emails": ["selfie@example.org"],
                                           "password": PASSWORD}).status == 201
    c = server.client()
    c.sign_in("selfie")
    s = c.get("/api/session").json()
    assert s["principal"] == "user" and s["profile"] == "referring_physician"
    assert "share" in s["rights"] and s["csrf_token"] == c.csrf
    r = c.patch("/api/me", {"phone": "+33 1 23 45 67 89", "first_name": "Self"})
    assert r.status == 200 and r.json()["phone"] == "+33 1 23 45 67 89"
    assert c.patch("/api/me", {"phone": 5}).status == 400
    r = c.put("/api/me/preferences", {"language": "fr", "columns": ["date", "patient_name"]})
    assert r.status == 200, r
    me = c.get("/api/me").json()
    assert me["preferences"]["language"] == "fr" and me["preferences"]["first_tab"] == "studies"
    assert c.put("/api/me/preferences", {"language": "de"}).status == 400
    assert c.post("/api/me/password", {"current_password": "wrong",
                                       "new_password": PASSWORD + "x"}).status == 401
    assert c.post("/api/me/password", {"current_password": PASSWORD,
                                       "new_password": PASSWORD + "x"}).status == 204
    assert c.get("/api/me").status == 200  # this session stays
    server.client().sign_in("selfie", PASSWORD + "x")


def test_sign_out_ends_the_session(server):
    c = server.client()
    c.sign_in("admin")
    cookie = c.cookie
    r = c.delete("/api/session")
    assert r.status == 204
    assert any("Max-Age=0" in v for v in r.all_headers("Set-Cookie"))
    c.cookie = cookie
    assert c.get("/api/studies").status == 401


def test_patient_sign_in_sees_only_their_studies(server):
    s = server.manifest["studies"][0]
    c = server.client()
    c.patient_sign_in(s["accession"], s["birth_date"])
    info = c.get("/api/session").json()
    assert info["principal"] == "patient" and info["user"] is None
    page = c.get("/api/studies").json()
    assert page["total"] >= 1
    assert {st["uid"] for st in page["studies"]} <= {
        x["study_uid"] for x in server.manifest["studies"] if x["patient_id"] == s["patient_id"]}
    assert c.get("/api/me").status == 404
    wrong = server.client().post("/api/session/patient",
                                 {"accession": s["accession"], "birth_date": "19000101"})
    assert wrong.status == 401


# --- studies -----------------------------------------------------------------------------------

def test_search_with_every_filter(server, admin):
    m = server.manifest
    everything = admin.get("/api/studies").json()
    assert everything["total"] == m["num_studies"] and not everything["truncated"]
    s = m["studies"][3]
    family = s["family_name"]

    def uids(query):
        r = admin.get("/api/studies?" + urllib.parse.quote(query, safe="=&"))
        assert r.status == 200, (query, r)
        return {x["uid"] for x in r.json()["studies"]}

    assert s["study_uid"] in uids("last_name=" + family[:3].lower())
    assert s["study_uid"] in uids("first_name=" + s["given_name"][:2])
    assert uids("patient_id=" + s["patient_id"]) == {
        x["study_uid"] for x in m["studies"] if x["patient_id"] == s["patient_id"]}
    assert uids("accession=" + s["accession"]) == {s["study_uid"]}
    assert s["study_uid"] in uids("modality=" + s["modalities"][0].lower())
    assert s["study_uid"] in uids(f"date_from={s['study_date']}&date_to={s['study_date']}")
    assert s["study_uid"] in uids("referring=" + s["referring"].split("^")[0][:4])
    assert s["study_uid"] in uids("performing=" + s["performing"].split("^")[0][:4])
    assert s["study_uid"] in uids("site=" + s["institution"][:4])
    assert uids("period=all") == uids("")
    assert isinstance(uids("period=7d"), set) and isinstance(uids("seen=unseen"), set)
    page = admin.get("/api/studies?sort=patient_name&limit=2&offset=1").json()
    assert page["limit"] == 2 and page["offset"] == 1 and len(page["studies"]) == 2
    assert page["truncated"]
    names = [fold(x["patient"]["family_name"]) for x in
             admin.get("/api/studies?sort=patient_name").json()["studies"]]
    assert names == sorted(names) and len(set(names)) > 1
    dates = [x["date"] for x in admin.get("/api/studies?sort=-date").json()["studies"]]
    assert dates == sorted(dates, reverse=True)
    assert admin.get("/api/studies?date_from=2024-13-45").status == 400
    assert admin.get("/api/studies?no_such_filter=1").status == 400
    assert admin.get("/api/studies?limit=abc").status == 400
    assert admin.get("/api/studies?sort=bogus").status == 400


def test_study_series_instances_history_and_seen(server, admin):
    s = server.manifest["studies"][0]
    uid = s["study_uid"]
    study = admin.get(f"/api/studies/{uid}").json()
    assert study["accession"] == s["accession"] and study["num_series"] == s["num_series"]
    series = admin.get(f"/api/studies/{uid}/series").json()["series"]
    assert len(series) == s["num_series"]
    inst = admin.get(f"/api/studies/{uid}/instances").json()["instances"]
    assert len(inst) == s["num_instances"]
    one = admin.get(f"/api/studies/{uid}/instances?series_uid={series[0]['uid']}").json()
    assert all(i["series_uid"] == series[0]["uid"] for i in one["instances"])
    hist = admin.get(f"/api/studies/{uid}/history").json()["studies"]
    assert all(h["patient"]["patient_id"] == s["patient_id"] for h in hist)
    radio = server.client()
    admin.post("/api/admin/users", {"login": "reader", "emails": ["reader@example.org"],
                                    "profile": "radiologist", "password": PASSWORD})
    radio.sign_in("reader")
    assert radio.post(f"/api/studies/{uid}/seen").status == 204
    assert admin.get(f"/api/studies/{uid}").json()["seen_by_radiologist"] is True
    assert uid not in {x["uid"] for x in admin.get("/api/studies?seen=unseen").json()["studies"]}


def test_disable_and_access_code(server, admin):
    uid = server.manifest["studies"][-1]["study_uid"]
    assert admin.put(f"/api/studies/{uid}/disabled", {"disabled": True}).status == 204
    assert admin.put(f"/api/studies/{uid}/disabled", {}).status == 400
    assert admin.put(f"/api/studies/{uid}/disabled", {"disabled": "yes"}).status == 400
    assert admin.put(f"/api/studies/{uid}/disabled", {"disabled": False}).status == 204
    code = admin.post(f"/api/studies/{uid}/access-code").json()["access_code"]
    assert len(code) >= 8


def test_exports_are_streamed_files(server, admin):
    uid = server.manifest["studies"][0]["study_uid"]
    r = admin.get(f"/api/studies/{uid}/export")
    assert r.status == 200 and r.header("Content-Type") == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.body)).namelist()
    assert "DICOMDIR" in [n.split("/")[-1] for n in names]
    r = admin.get(f"/api/studies/{uid}/export?format=jpeg")
    assert r.status == 200
    assert all(n.endswith(".jpg") for n in zipfile.ZipFile(io.BytesIO(r.body)).namelist())
    r = admin.get(f"/api/studies/{uid}/export?format=pdf")
    assert r.status == 200 and r.body.startswith(b"%PDF")
    assert admin.get(f"/api/studies/{uid}/export?format=tiff").status == 400
    # Nothing is left behind in the server's temporary folder.
    assert not list((pathlib.Path(server.data_dir) / "http-tmp").glob("export-*"))


# --- imaging -----------------------------------------------------------------------------------

def test_instance_file_render_thumbnail_frames(server, admin):
    s = server.manifest["studies"][0]
    sop = s["series"][0]["instances"][0]["uid"]
    f = admin.get(f"/api/instances/{sop}/file")
    assert f.status == 200 and f.body[128:132] == b"DICM"
    r = admin.get(f"/api/instances/{sop}/render")
    assert r.status == 200 and r.header("Content-Type") == "image/jpeg"
    assert r.body.startswith(b"\xff\xd8")
    r = admin.get(f"/api/instances/{sop}/render?format=png&width=32&preset=lung&invert=true")
    assert r.status == 200 and r.body.startswith(b"\x89PNG")
    r = admin.get(f"/api/instances/{sop}/render?window_center=40&window_width=400&quality=50")
    assert r.status == 200
    assert admin.get(f"/api/instances/{sop}/render?preset=elbow").status == 400
    assert admin.get(f"/api/instances/{sop}/render?window_width=wide").status == 400
    assert admin.get(f"/api/instances/{sop}/render?frame=99").status == 400
    t = admin.get(f"/api/instances/{sop}/thumbnail?size=64")
    assert t.status == 200 and t.body.startswith(b"\xff\xd8")
    assert admin.get(f"/api/instances/{sop}/thumbnail?size=5").status == 400
    fr = admin.get(f"/api/instances/{sop}/frames/0?transfer=uncompressed")
    assert fr.status == 200
    rows, cols = int(fr.header("X-Rows")), int(fr.header("X-Columns"))
    assert len(fr.body) == rows * cols * int(fr.header("X-Bits-Allocated")) // 8
    fj = admin.get(f"/api/instances/{sop}/frames/0?transfer=jpeg&quality=70")
    assert fj.status == 200 and fj.header("Content-Type") == "image/jpeg"
    assert admin.get(f"/api/instances/{sop}/frames/0?transfer=gif").status == 400


# --- uploads -----------------------------------------------------------------------------------

def test_upload_files_and_zip_with_per_file_results(server, admin):
    ct = (PYDICOM / "CT_small.dcm").read_bytes()
    mr = (PYDICOM / "MR_small.dcm").read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner/mr.dcm", mr)
        z.writestr("inner/notes.txt", b"not dicom")
    r = admin.request("POST", "/api/uploads", files=[
        ("files", "ct.dcm", ct), ("files", "archive.zip", buf.getvalue()),
        ("files", "junk.bin", b"\x00" * 300)])
    assert r.status == 200, r
    body = r.json()
    by_source = {f["source"]: f for f in body["files"]}
    assert by_source["ct.dcm"]["status"] == "stored"
    assert by_source["archive.zip!inner/mr.dcm"]["status"] == "stored"
    assert by_source["archive.zip!inner/notes.txt"]["status"] == "rejected"
    assert by_source["junk.bin"]["status"] == "rejected"
    assert by_source["junk.bin"]["error"] is not None
    assert body["stored"] == 2 and body["rejected"] == 2
    # The server's temporary paths never show.
    assert "http-tmp" not in r.body.decode()
    again = admin.request("POST", "/api/uploads", files=[("files", "ct.dcm", ct)]).json()
    assert again["files"][0]["status"] == "duplicate"
    assert admin.get(f"/api/studies/{by_source['ct.dcm']['study_uid']}").status == 200
    assert admin.request("POST", "/api/uploads", fields={"x": "1"}).status == 400
    assert admin.request("POST", "/api/uploads", json_body={}).status == 415


def test_add_files_to_a_study_and_create_a_study(server, admin):
    uid = server.manifest["studies"][1]["study_uid"]
    r = admin.request("POST", f"/api/studies/{uid}/files",
                      files=[("files", "scan.png", png_bytes(seed=7))])
    assert r.status == 200, r
    assert r.json()["files"][0]["status"] == "stored"
    assert r.json()["files"][0]["study_uid"] == uid
    fields = {"patient_family_name": "Photo", "patient_given_name": "Anne",
              "birth_date": "19800101", "sex": "F", "patient_id": "PHOTO-1",
              "study_date": "20240102", "modality": "XC", "study_description": "Skin"}
    r = admin.request("POST", "/api/studies", files=[("files", "lesion.png", png_bytes(seed=9))],
                      fields=fields)
    assert r.status == 201, r
    new_uid = r.json()["files"][0]["study_uid"]
    assert admin.get(f"/api/studies/{new_uid}").json()["patient"]["family_name"] == "Photo"
    r = admin.request("POST", "/api/studies", files=[("files", "a.png", png_bytes())],
                      fields={"patient_family_name": "X"})
    assert r.status == 400 and "birth" in r.json()["error"]["message"]


# --- sharing -----------------------------------------------------------------------------------

def test_shares_grants_and_revocation(server, admin):
    admin.post("/api/admin/users", {"login": "friend", "emails": ["friend@example.org"],
                                    "profile": "guest", "password": PASSWORD})
    uid = server.manifest["studies"][2]["study_uid"]
    friend = server.client()
    friend.sign_in("friend")
    assert friend.get(f"/api/studies/{uid}").status == 404
    r = admin.post(f"/api/studies/{uid}/shares", {"recipients": "friend@example.org, x@example.org",
                                                  "message": "please look"})
    assert r.status == 201, r
    shares = r.json()["shares"]
    assert [s["recipient"] for s in shares] == ["friend@example.org", "x@example.org"]
    assert shares[1]["pending"] is True
    assert friend.get(f"/api/studies/{uid}").status == 200
    listed = admin.get("/api/shares").json()["shares"]
    assert {s["id"] for s in shares} <= {s["id"] for s in listed}
    assert admin.get(f"/api/studies/{uid}/shares").json()["shares"][0]["study_uid"] == uid
    assert admin.delete(f"/api/shares/{shares[0]['id']}").status == 204
    assert admin.delete(f"/api/shares/{shares[0]['id']}").status == 404
    assert friend.get(f"/api/studies/{uid}").status == 404
    assert admin.post(f"/api/studies/{uid}/shares", {"recipients": "not an email"}).status == 400
    r = admin.post(f"/api/studies/{uid}/shares/user", {"login": "friend",
                                                       "expires_at": "2099-01-01"})
    assert r.status == 201 and r.json()["expires_at"].startswith("2099-01-01")
    assert admin.post(f"/api/studies/{uid}/shares/user",
                      {"login": "friend", "expires_at": "tomorrow"}).status == 400
    g = admin.put(f"/api/studies/{uid}/grants/friend", {"expires_at": "2099-01-01T00:00:00Z"})
    assert g.status == 200 and g.json()["user_login"] == "friend"
    assert any(x["user_login"] == "friend" for x in
               admin.get(f"/api/studies/{uid}/grants").json()["grants"])
    assert admin.delete(f"/api/studies/{uid}/grants/friend").status == 204


# --- tokens ------------------------------------------------------------------------------------

def test_personal_access_tokens(server, admin):
    r = admin.post("/api/me/tokens", {"name": "backup script"})
    assert r.status == 201, r
    token = r.json()["token"]
    assert token.startswith("pat_") and len(token) == 68
    listed = admin.get("/api/me/tokens").json()["tokens"]
    assert listed[0]["name"] == "backup script" and "token" not in listed[0]
    api = server.client()
    api.bearer = token
    assert api.get("/api/studies").status == 200
    # Bearer requests need no CSRF header: browsers never add Authorization by themselves.
    uid = server.manifest["studies"][0]["study_uid"]
    assert api.post(f"/api/studies/{uid}/seen").status == 204
    info = api.get("/api/session").json()
    assert info["user"]["login"] == "admin" and "csrf_token" not in info
    assert api.delete("/api/session").status == 400  # revoke it instead
    assert admin.post("/api/me/tokens", {"name": ""}).status == 400
    assert admin.post("/api/me/tokens", {"name": "x", "expires_at": "2001-01-01"}).status == 400
    assert admin.delete(f"/api/me/tokens/{listed[0]['id']}").status == 204
    assert api.get("/api/studies").status == 401
    assert admin.delete(f"/api/me/tokens/{listed[0]['id']}").status == 404
    api.bearer = "pat_" + "0" * 64
    assert api.get("/api/studies").status == 401
    api.bearer = None
    api.request("GET", "/api/studies", headers={"Authorization": "Basic YTpi"})
    assert api.request("GET", "/api/studies",
                       headers={"Authorization": "Basic YTpi"}).status == 401


def test_tokens_made_by_the_cli_work_over_http(server, cli_bin):
    import subprocess
    from conftest import clean_env
    out = subprocess.run([cli_bin, "--data", server.data_dir, "tokens", "create", "--user",
                          "admin", "--name", "cli", "--json"], capture_output=True, text=True,
                         env=clean_env(), check=True).stdout
    t = json.loads(out)
    api = server.client()
    api.bearer = t["token"]
    assert api.get("/api/me").json()["login"] == "admin"
    listed = subprocess.run([cli_bin, "--data", server.data_dir, "tokens", "list", "--json"],
                            capture_output=True, text=True, env=clean_env(), check=True).stdout
    assert t["token"] not in listed
    subprocess.run([cli_bin, "--data", server.data_dir, "tokens", "revoke", str(t["id"])],
                   capture_output=True, env=clean_env(), check=True)
    assert api.get("/api/me").status == 401


# --- administration ----------------------------------------------------------------------------

def test_administration(server, admin, cli_bin):
    r = admin.post("/api/admin/users", {"login": "staff", "emails": ["staff@example.org"],
                                        "profile": "radiologist", "password": PASSWORD})
    assert r.status == 201
    assert admin.post("/api/admin/users", {"login": "weak", "emails": ["w@example.org"],
                                           "password": "short"}).status == 400
    users = admin.get("/api/admin/users?state=active").json()["users"]
    assert "staff" in {u["login"] for u in users}
    assert admin.get("/api/admin/users?state=sleepy").status == 400
    assert admin.get("/api/admin/users/staff").json()["profile"] == "radiologist"
    assert admin.get("/api/admin/users/staff@example.org").json()["login"] == "staff"
    assert admin.put("/api/admin/users/staff/profile", {"profile": "guest"}).status == 204
    assert admin.put("/api/admin/users/staff/profile", {"profile": "king"}).status == 400
    assert admin.put("/api/admin/users/staff/password", {"password": PASSWORD + "!"}).status == 204
    assert admin.put("/api/admin/users/staff/physician",
                     {"physician_id": "RPPS1", "referring_name": "Staff^Sam"}).status == 204
    assert admin.get("/api/admin/users/staff").json()["linked_physician_id"] == "RPPS1"
    assert admin.post("/api/admin/users/staff/disable").status == 204
    assert admin.post("/api/admin/users/admin/disable").status == 409  # oneself
    profiles = admin.get("/api/admin/profiles").json()
    assert "upload" in profiles["known_rights"]
    assert admin.put("/api/admin/profiles/guest/rights/export").status == 204
    guest = next(p for p in admin.get("/api/admin/profiles").json()["profiles"]
                 if p["name"] == "guest")
    assert "export" in guest["rights"]
    assert admin.delete("/api/admin/profiles/guest/rights/export").status == 204
    assert admin.put("/api/admin/profiles/guest/rights/fly").status == 400
    assert admin.get("/api/admin/users/nobody").status == 404
    events = admin.get("/api/admin/audit?action=sign_in&limit=5").json()["events"]
    assert 0 < len(events) <= 5 and all(e["action"] == "sign_in" for e in events)
    assert admin.get("/api/admin/audit?from=yesterday").status == 400
    assert admin.get("/api/admin/audit?color=red").status == 400
    # A message waiting in the outbox, retried now.
    admin.post("/api/password/lost", {"login": "staff"})
    pending = admin.get("/api/admin/mail?status=pending").json()["messages"]
    assert pending, "a pending message"
    assert admin.post(f"/api/admin/mail/{pending[0]['id']}/retry").status == 204
    assert admin.get("/api/admin/mail?status=lost").status == 400
    deliver(cli_bin, server.data_dir)
    assert admin.post(f"/api/admin/mail/{pending[0]['id']}/retry").status == 404  # sent
    # Non-administrators are refused.
    doc = server.client()
    admin.post("/api/admin/users", {"login": "plain", "emails": ["plain@example.org"],
                                    "password": PASSWORD})
    doc.sign_in("plain")
    assert doc.get("/api/admin/users").status == 403
    assert doc.get("/api/admin/audit").status == 403


# --- operations --------------------------------------------------------------------------------

def test_health_metrics_and_openapi(server, admin):
    assert server.client().get("/healthz").json() == {"status": "ok"}
    admin.get("/api/studies")
    m = server.client().get("/metrics")
    assert m.status == 200 and m.header("Content-Type").startswith("text/plain")
    text = m.body.decode()
    assert 'portal_http_requests_total{route="GET /api/studies",status="2xx"}' in text
    assert 'portal_http_request_duration_seconds_bucket{route="GET /api/studies",le="+Inf"}' in text
    assert 'portal_ingest_files_total{source="http",status="stored"}' in text
    assert "portal_mail_outbox{status=\"pending\"}" in text
    doc = server.client().get("/api/openapi.yaml")
    assert doc.status == 200
    assert doc.body == (REPO / "docs" / "openapi.yaml").read_bytes()


def test_access_log_is_json_lines_without_query_strings(server, admin):
    admin.get("/api/studies?last_name=secretname")
    lines = [json.loads(l) for l in server.access_log.read_text().splitlines() if l.strip()]
    assert lines and {"time", "remote", "method", "path", "route", "status", "duration_ms"} <= set(lines[-1])
    assert "secretname" not in server.access_log.read_text()
    assert any(l["route"] == "GET /api/studies" for l in lines)


def test_send_a_study_to_a_dicom_node(server, admin):
    s = server.manifest["studies"][0]
    r = admin.post(f"/api/studies/{s['study_uid']}/send", {"node": "archive"})
    assert r.status == 200, r
    assert r.json() == {"node": "archive", "sent": s["num_instances"], "failed": 0,
                        "failures": []}
    assert admin.post(f"/api/studies/{s['study_uid']}/send", {"node": "nowhere"}).status == 404
