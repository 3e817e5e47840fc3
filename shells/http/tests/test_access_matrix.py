"""The access matrix (LIST-1, LIST-7, ACC-2, ACC-3, DIF-5/6; ARCHITECTURE rule 1): every
study-scoped route x {anonymous, patient A, patient B, referring physician, guest with share,
guest with expired share, radiologist, administrator} x {own, foreign, nonexistent} study, with
the status expected. A study the caller may not see is 404, never 403. The test fails when the
server has a study-scoped route that this matrix does not list (or lists one it lacks)."""
import re
import subprocess
import time
import datetime

import pytest

from conftest import PASSWORD, png_bytes

NONEXISTENT_STUDY = "1.2.826.0.1.3680043.8.498.999999999"
NONEXISTENT_SOP = "1.2.826.0.1.3680043.8.498.999999998"

# route -> (what the caller needs besides seeing the study, status on success).
# needs: None (seeing it is enough), a right name, or "privileged" (administrators and
# radiologists).
MATRIX = {
    "GET /api/studies/{study_uid}": (None, 200),
    "GET /api/studies/{study_uid}/series": (None, 200),
    "GET /api/studies/{study_uid}/instances": (None, 200),
    "GET /api/studies/{study_uid}/history": (None, 200),
    "POST /api/studies/{study_uid}/seen": (None, 204),
    "PUT /api/studies/{study_uid}/disabled": ("disable_study", 204),
    "POST /api/studies/{study_uid}/access-code": ("privileged", 201),
    "GET /api/studies/{study_uid}/export": ("export", 200),
    "POST /api/studies/{study_uid}/send": ("download", 200),
    "POST /api/studies/{study_uid}/files": ("upload", 200),
    "GET /api/studies/{study_uid}/shares": ("privileged", 200),
    "POST /api/studies/{study_uid}/shares": ("share", 201),
    "POST /api/studies/{study_uid}/shares/user": ("share", 201),
    "GET /api/studies/{study_uid}/grants": ("privileged", 200),
    "PUT /api/studies/{study_uid}/grants/{login}": ("share", 200),
    "DELETE /api/studies/{study_uid}/grants/{login}": ("share", 204),
    "GET /api/instances/{sop_uid}/file": (None, 200),
    "GET /api/instances/{sop_uid}/render": (None, 200),
    "GET /api/instances/{sop_uid}/thumbnail": (None, 200),
    "GET /api/instances/{sop_uid}/frames/{frame}": (None, 200),
}

RIGHTS = {
    "administrator": {"disable_study", "export", "upload", "share", "privileged", "download"},
    "radiologist": {"disable_study", "export", "upload", "share", "privileged", "download"},
    "referring_physician": {"export", "share", "download"},
    "guest": {"download"},
    "patient": {"download"},
}


def server_routes(portald_bin):
    out = subprocess.run([portald_bin, "--print-routes"], capture_output=True, text=True,
                         check=True).stdout
    return [line.split()[:2] for line in out.splitlines()]


def test_matrix_lists_exactly_the_study_scoped_routes(portald_bin):
    scoped = {f"{m} {p}" for m, p in server_routes(portald_bin)
              if "{study_uid}" in p or "{sop_uid}" in p}
    assert scoped == set(MATRIX), (
        f"routes missing from the matrix: {sorted(scoped - set(MATRIX))}; "
        f"listed but not served: {sorted(set(MATRIX) - scoped)}")
    # The server's own study-scoped flag agrees.
    flagged = subprocess.run([portald_bin, "--print-routes"], capture_output=True, text=True,
                             check=True).stdout
    flagged = {" ".join(l.split()[:2]) for l in flagged.splitlines() if l.endswith(" study")}
    assert flagged == scoped


@pytest.fixture(scope="module")
def world(server, admin):
    m = server.manifest
    studies = m["studies"]
    by_patient = {}
    for s in studies:
        by_patient.setdefault(s["patient_id"], []).append(s)
    pids = sorted(by_patient, key=lambda p: -len(by_patient[p]))
    a, b, c = by_patient[pids[0]][0], by_patient[pids[1]][0], by_patient[pids[2]][0]
    # Referring physician: a study's referring name that A, B and C do not carry.
    taken = {a["referring"], b["referring"], c["referring"]}
    r = next((s for s in studies if s["referring"] not in taken), None)
    if r is None:
        r = next(s for s in studies if s["referring"] != a["referring"]
                 and s["study_uid"] not in (b["study_uid"], c["study_uid"]))
        ref_foreign = a
    else:
        ref_foreign = b if b["referring"] != r["referring"] else a
    assert ref_foreign["referring"] != r["referring"]
    g = next(s for s in studies if s["study_uid"] not in
             (a["study_uid"], b["study_uid"], c["study_uid"]))

    def add(login, profile):
        res = admin.post("/api/admin/users", {"login": login, "emails": [f"{login}@example.org"],
                                              "first_name": login, "last_name": "Test",
                                              "profile": profile, "password": PASSWORD})
        assert res.status == 201, res

    add("radio", "radiologist")
    add("refdoc", "referring_physician")
    add("guest1", "guest")
    add("guest2", "guest")
    add("bystander", "referring_physician")
    assert admin.put("/api/admin/users/refdoc/physician",
                     {"physician_id": "", "referring_name": r["referring"]}).status == 204
    res = admin.post(f"/api/studies/{g['study_uid']}/shares/user", {"login": "guest1"})
    assert res.status == 201, res
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=3))
    res = admin.post(f"/api/studies/{g['study_uid']}/shares/user",
                     {"login": "guest2", "expires_at": soon.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert res.status == 201, res
    assert admin.put(f"/api/studies/{c['study_uid']}/disabled", {"disabled": True}).status == 204
    time.sleep(max(0.0, soon.timestamp() - time.time() + 1.2))

    def sop(study):
        return study["series"][0]["instances"][0]["uid"]

    def user(login):
        cl = server.client()
        cl.sign_in(login)
        return cl

    def patient(study):
        cl = server.client()
        cl.patient_sign_in(study["accession"], study["birth_date"])
        return cl

    # principal -> (client, profile, own study, foreign study, sees own, sees foreign)
    return {
        "anonymous": (server.client(), None, a, b, False, False),
        "patient A": (patient(a), "patient", a, b, True, False),
        "patient B": (patient(b), "patient", b, a, True, False),
        "referring physician": (user("refdoc"), "referring_physician", r, ref_foreign, True, False),
        "guest with share": (user("guest1"), "guest", g, b, True, False),
        "guest with expired share": (user("guest2"), "guest", g, b, False, False),
        "radiologist": (user("radio"), "radiologist", a, c, True, False),  # c is disabled
        "administrator": (admin, "administrator", a, c, True, True),
    }, {"sop": sop, "disabled": c["study_uid"]}


def call(client, route, study_uid, sop_uid, disabled_uid):
    method, pattern = route.split(" ", 1)
    path = (pattern.replace("{study_uid}", study_uid).replace("{sop_uid}", sop_uid)
            .replace("{login}", "bystander").replace("{frame}", "0"))
    if route.endswith("/files"):
        return client.request(method, path, files=[("files", "page.png", png_bytes())])
    body = None
    if route.endswith("/disabled"):
        body = {"disabled": study_uid == disabled_uid}  # never changes a study's state
    elif route.endswith("/shares"):
        body = {"recipients": "matrix@example.org"} if method == "POST" else None
    elif route.endswith("/shares/user"):
        body = {"login": "bystander"}
    elif route.endswith("/send"):
        body = {"node": "archive"}  # storescp started by the server fixture
    elif "/grants/" in route and method == "PUT":
        body = {}
    if method == "GET":
        return client.get(path)
    return client.request(method, path, json_body=body if body is not None else {})


def expected(profile, sees, route, anonymous):
    if anonymous:
        return 401
    if not sees:
        return 404
    needs, ok = MATRIX[route]
    if needs is None or needs in RIGHTS[profile]:
        return ok
    return 403


def test_access_matrix(world):
    principals, helpers = world
    failures = []
    for name, (client, profile, own, foreign, sees_own, sees_foreign) in principals.items():
        cases = {
            "own": (own["study_uid"], helpers["sop"](own), sees_own),
            "foreign": (foreign["study_uid"], helpers["sop"](foreign), sees_foreign),
            "nonexistent": (NONEXISTENT_STUDY, NONEXISTENT_SOP, False),
        }
        for case, (study_uid, sop_uid, sees) in cases.items():
            for route in MATRIX:
                want = expected(profile, sees, route, name == "anonymous")
                res = call(client, route, study_uid, sop_uid, helpers["disabled"])
                if res.status != want:
                    failures.append(f"{name:26} {case:11} {route}: {res.status}, expected {want}"
                                    f" {res.body[:120]!r}")
                elif want >= 400:
                    body = res.json()
                    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
                    if want == 404:
                        # Nothing of the study leaks into the refusal.
                        assert own["patient_id"] not in res.body.decode()
    assert not failures, "\n".join(failures)
