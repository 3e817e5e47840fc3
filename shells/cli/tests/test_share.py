"""Sharing through the `portal` command (issue [sharing], item 8): `portal share STUDY --to |
--user`, `portal shares list`, `portal shares revoke` (DIF-5, DIF-6, LIST-7)."""
from test_accounts import PASSWORD, run_with_stdin, variant


def shared_world(cli, tmp_path):
    run_with_stdin(cli, PASSWORD + "\n", "admin", "create", "root", "--email", "root@example.org",
                   "--password-stdin")
    path, uid = variant(tmp_path, "shared", PatientID="P1", PatientName="Durand^Anne")
    other, other_uid = variant(tmp_path, "other", PatientID="P2", PatientName="Petit^Paul")
    cli.run("ingest", path, other, expect=0)
    run_with_stdin(cli, PASSWORD + "\n", "users", "add", "claire", "--email",
                   "claire@example.org", "--profile", "referring_physician", "--password-stdin")
    run_with_stdin(cli, PASSWORD + "\n", "users", "add", "g", "--email", "g@example.org",
                   "--profile", "guest", "--password-stdin")
    return uid, other_uid


def test_share_with_emails_lists_and_revokes(cli, tmp_path):
    uid, _ = shared_world(cli, tmp_path)
    out = cli.json("share", uid, "--to", "claire@example.org, friend@example.org",
                   "--message", "Second series", "--expires", "7d")
    shares = out["shares"]
    assert [s["recipient"] for s in shares] == ["claire@example.org", "friend@example.org"]
    assert [s["pending"] for s in shares] == [False, True]
    assert all(s["message"] == "Second series" and s["expires_at"] for s in shares)
    assert cli.json("studies", "--as", "claire")["total"] == 1
    # One mail per recipient.
    outbox = cli.json("mail", "list")["messages"]
    assert sorted(m["to"] for m in outbox) == ["claire@example.org", "friend@example.org"]

    listed = cli.json("shares", "list")["shares"]
    assert len(listed) == 2 and all(s["active"] for s in listed)
    assert len(cli.json("shares", "list", uid)["shares"]) == 2
    cli.run("shares", "revoke", shares[0]["id"], expect=0)
    assert cli.json("studies", "--as", "claire")["total"] == 0
    assert not cli.json("shares", "list")["shares"][0]["active"]
    assert cli.run("shares", "revoke", shares[0]["id"]).returncode == 5
    assert "share(s)" in cli.run("shares", "list", expect=0).stdout


def test_share_with_a_user_by_login(cli, tmp_path):
    uid, other_uid = shared_world(cli, tmp_path)
    proc = cli.run("share", uid, "--user", "g", "--message", "For you", expect=0)
    assert "g@example.org" in proc.stdout
    assert {s["uid"] for s in cli.json("studies", "--as", "g")["studies"]} == {uid}
    assert cli.run("share", uid, "--user", "nobody").returncode == 5


def test_share_refusals(cli, tmp_path):
    uid, other_uid = shared_world(cli, tmp_path)
    # One bad address: nothing is shared.
    proc = cli.run("share", uid, "--to", "claire@example.org,not-an-address")
    assert proc.returncode == 2 and "not-an-address" in proc.stderr
    assert cli.json("shares", "list")["shares"] == []
    assert cli.run("share", uid).returncode == 2
    assert cli.run("share", uid, "--to", "a@example.org", "--expires", "soon").returncode == 2
    # A guest may not share; a study one does not see does not exist.
    cli.run("share", uid, "--user", "g", expect=0)
    assert cli.run("share", uid, "--to", "x@example.org", "--as", "g").returncode == 7
    assert cli.run("share", other_uid, "--to", "x@example.org", "--as", "claire").returncode == 5
    assert cli.run("shares", "list", "--as", "claire").returncode == 7
