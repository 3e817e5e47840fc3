"""Accounts through the `portal` command (issue [accounts], item 13): the first administrator,
users, profiles, the mail outbox, the audit trail and `--as LOGIN` (ACC-7, LIST-1, DIF-8,
PLAT-3). Passwords only ever travel on standard input."""
import subprocess

import pytest

from conftest import PYDICOM_TEST_FILES

PASSWORD = "correct horse battery staple 42"


def run_with_stdin(cli, stdin, *args, expect=0, json_out=False):
    argv = cli.command(*args, *(["--json"] if json_out else []))
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=cli.env,
                          timeout=120)
    assert proc.returncode == expect, (args, proc.returncode, proc.stdout, proc.stderr)
    if json_out:
        import json
        return json.loads(proc.stdout)
    return proc


@pytest.fixture
def admin(cli):
    run_with_stdin(cli, PASSWORD + "\n", "admin", "create", "root", "--email", "root@example.org",
                   "--password-stdin")
    return cli


def variant(tmp_path, name, **attrs):
    """A copy of CT_small.dcm with new UIDs and the given attributes (pydicom)."""
    import pydicom
    ds = pydicom.dcmread(str(PYDICOM_TEST_FILES / "CT_small.dcm"))
    for key, value in attrs.items():
        setattr(ds, key, value)
    ds.StudyInstanceUID = pydicom.uid.generate_uid(entropy_srcs=[name, "study"])
    ds.SeriesInstanceUID = pydicom.uid.generate_uid(entropy_srcs=[name, "series"])
    ds.SOPInstanceUID = pydicom.uid.generate_uid(entropy_srcs=[name, "sop"])
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    path = tmp_path / f"{name}.dcm"
    ds.save_as(str(path), write_like_original=False)
    return path, ds.StudyInstanceUID


def test_first_administrator_is_created_once_and_no_password_is_in_arguments(admin):
    users = admin.json("users", "list")["users"]
    assert [(u["login"], u["profile"], u["state"]) for u in users] == [
        ("root", "administrator", "active")]
    again = run_with_stdin(admin, PASSWORD + "\n", "admin", "create", "other", "--email",
                           "o@example.org", "--password-stdin", expect=6)
    assert "administrator" in again.stderr
    # There is no --password option at all.
    proc = admin.run("users", "add", "x", "--email", "x@example.org", "--profile", "guest",
                     "--password", PASSWORD)
    assert proc.returncode == 2


def test_weak_password_is_refused(cli):
    proc = run_with_stdin(cli, "password\n", "admin", "create", "root", "--email",
                          "root@example.org", "--password-stdin", expect=2)
    assert "password" in proc.stderr.lower()
    assert cli.json("users", "list")["users"] == []


def test_users_are_added_listed_changed_and_disabled(admin):
    added = run_with_stdin(admin, PASSWORD + "\n", "users", "add", "claire", "--email",
                           "claire@example.org", "--profile", "referring_physician",
                           "--first-name", "Claire", "--last-name", "Martin",
                           "--physician-id", "RPPS123", "--referring-name", "Martin^Claire",
                           "--password-stdin", json_out=True)
    assert added["state"] == "active"
    assert added["linked_physician_id"] == "RPPS123"
    assert added["referring_name"] == "Martin^Claire"
    shown = admin.json("users", "show", "claire@example.org")
    assert shown["login"] == "claire" and shown["emails"] == ["claire@example.org"]
    assert admin.json("users", "set-profile", "claire", "radiologist")["profile"] == "radiologist"
    assert admin.json("users", "disable", "claire")["state"] == "disabled"
    assert [u["login"] for u in admin.json("users", "list", "--state", "disabled")["users"]] == [
        "claire"]
    assert admin.json("users", "activate", "claire")["state"] == "active"
    linked = admin.json("users", "link", "claire", "--physician-id", "",
                        "--referring-name", "Dubois^Etienne")
    assert linked["referring_name"] == "Dubois^Etienne"
    run_with_stdin(admin, PASSWORD + " new\n", "users", "passwd", "claire", "--password-stdin")
    assert admin.run("users", "show", "nobody").returncode == 5
    assert admin.run("users", "add", "dup", "--email", "claire@example.org", "--profile", "guest",
                     "--password-stdin").returncode != 0


def test_profile_rights_are_listed_granted_and_revoked(admin):
    profiles = {p["name"]: p["rights"] for p in admin.json("profiles", "list")["profiles"]}
    assert {"administrator", "radiologist", "referring_physician", "guest"} <= set(profiles)
    assert "share" not in profiles["guest"]
    admin.run("profiles", "grant", "guest", "share", expect=0)
    profiles = {p["name"]: p["rights"] for p in admin.json("profiles", "list")["profiles"]}
    assert "share" in profiles["guest"]
    admin.run("profiles", "revoke", "guest", "share", expect=0)
    profiles = {p["name"]: p["rights"] for p in admin.json("profiles", "list")["profiles"]}
    assert "share" not in profiles["guest"]
    assert admin.run("profiles", "grant", "guest", "fly").returncode == 2


def test_studies_as_a_user_follow_that_users_visibility(admin, tmp_path):
    mine, mine_uid = variant(tmp_path, "mine", PatientID="P1", PatientName="Durand^Anne",
                             ReferringPhysicianName="Martin^Claire")
    other, other_uid = variant(tmp_path, "other", PatientID="P2", PatientName="Petit^Paul",
                               ReferringPhysicianName="Leroy^Paul")
    admin.run("ingest", mine, other, expect=0)
    run_with_stdin(admin, PASSWORD + "\n", "users", "add", "claire", "--email",
                   "claire@example.org", "--profile", "referring_physician",
                   "--referring-name", "Martin^Claire", "--password-stdin")
    run_with_stdin(admin, PASSWORD + "\n", "users", "add", "rad", "--email", "rad@example.org",
                   "--profile", "radiologist", "--password-stdin")
    as_claire = admin.json("studies", "--as", "claire")
    assert {s["uid"] for s in as_claire["studies"]} == {mine_uid}
    assert as_claire["total"] == 1
    assert admin.json("studies", "--as", "rad")["total"] == 2
    assert admin.json("show", mine_uid, "--as", "claire")["study"]["uid"] == mine_uid
    # A study the account may not see does not exist for it.
    assert admin.run("show", other_uid, "--as", "claire").returncode == 5
    assert admin.run("history", other_uid, "--as", "claire").returncode == 5
    assert admin.run("studies", "--as", "nobody").returncode == 5


def test_audit_trail_records_account_changes_and_views(admin, tmp_path):
    path, uid = variant(tmp_path, "seen", ReferringPhysicianName="Martin^Claire")
    admin.run("ingest", path, expect=0)
    run_with_stdin(admin, PASSWORD + "\n", "users", "add", "rad", "--email", "rad@example.org",
                   "--profile", "radiologist", "--password-stdin")
    admin.run("show", uid, "--as", "rad", expect=0)
    events = admin.json("audit")["events"]
    actions = {e["action"] for e in events}
    assert any("user" in a for a in actions), actions
    views = admin.json("audit", "--study", uid)["events"]
    assert views and all(e["study_uid"] == uid for e in views)
    assert any(e["login"] == "rad" for e in views)
    # Nothing secret is ever in the trail.
    assert PASSWORD not in admin.run("audit", "--json").stdout


def test_mail_outbox_is_listed_and_delivered_to_the_spool(admin, tmp_path):
    # An invitation-free way to queue mail: nothing else than delivery of an empty outbox.
    report = admin.json("mail", "deliver")
    assert report["attempted"] == 0
    assert admin.json("mail", "list")["messages"] == []
    assert admin.run("mail", "retry", "999").returncode == 5
    assert admin.run("mail", "list", "--status", "lost").returncode == 2
