"""Notifications, directory and study information through `portal` (issue [sharing], items 4-8):
`portal notify STUDY`, `portal notify run`, `portal directory import|search`, `portal info`
(DIF-2..4, DIF-7, LIST-7)."""
from test_accounts import PASSWORD, run_with_stdin, variant
from test_share import shared_world


def test_notify_manual_and_rules(cli, tmp_path):
    (tmp_path / "data" / "portal.toml").write_text(
        '[[notify.rules]]\nname = "ct"\ntrigger = "study_arrived"\ndelay = 0\n'
        'modalities = ["CT"]\n')
    uid, other_uid = shared_world(cli, tmp_path)  # ingested before the link: no account yet
    cli.run("users", "link", "claire", "--referring-name", "Martin^Claire", expect=0)
    path, ref_uid = variant(tmp_path, "ref", PatientID="P3", PatientName="Roux^Rita",
                            ReferringPhysicianName="Martin^Claire")
    cli.run("ingest", path, expect=0)

    out = cli.json("notify", "run", "--deliver")
    assert out["due"] == 3 and out["queued"] == 1 and out["failed"] == 2
    assert out["mail"]["sent"] >= 1
    studies = {s["uid"]: s for s in cli.json("studies")["studies"]}
    assert studies[ref_uid]["notification_status"] == "sent"
    assert studies[uid]["notification_status"] == "failure"
    assert "no referring physician" in studies[uid]["notification_error"]
    # Nothing more is due.
    assert cli.json("notify", "run")["due"] == 0

    # Manual: refused without the notify right (referring physician), not found when invisible.
    assert cli.run("notify", ref_uid, "--as", "claire").returncode == 7
    assert cli.run("notify", ref_uid, "--as", "g").returncode == 5
    n = cli.json("notify", ref_uid)
    assert n["trigger"] == "manual" and n["recipient"] == "claire@example.org"
    assert n["status"] == "scheduled"
    failed = cli.run("notify", uid)
    assert failed.returncode == 6 and "no referring physician" in failed.stdout


def test_directory_import_and_search(cli, tmp_path):
    shared_world(cli, tmp_path)
    csv = tmp_path / "dir.csv"
    csv.write_text("Nom;Prénom;Identifiant;Spécialité;Ville;Code postal;Département;Email\n"
                   "Müller;Zoé;10001;Cardiologie;Saint-Étienne;42000;42;zoe@example.org\n"
                   '"Martin; Jr";Claire;10002;MG;Lyon;69003;69;claire@example.org\n',
                   encoding="utf-8")
    assert cli.json("directory", "import", csv) == {"added": 2, "updated": 0}
    found = cli.json("directory", "search", "muller")["physicians"]
    assert [p["email"] for p in found] == ["zoe@example.org"]
    assert found[0]["city"] == "Saint-Étienne"
    assert [p["last_name"] for p in
            cli.json("directory", "search", "--department", "69")["physicians"]] == ["Martin; Jr"]
    assert len(cli.json("directory", "search", "--city", "lyon", "--as", "claire")["physicians"]) == 1
    assert "2 physician(s)" in cli.run("directory", "search", expect=0).stdout
    # Bad rows: every one reported with its line, nothing imported.
    bad = tmp_path / "bad.csv"
    bad.write_text("last_name,email\nOk,ok@example.org\n,x@example.org\nBad,nope\n")
    proc = cli.run("directory", "import", bad)
    assert proc.returncode == 2
    assert "line 3: the last name is empty" in proc.stderr
    assert "line 4: invalid email address" in proc.stderr
    assert len(cli.json("directory", "search")["physicians"]) == 2
    assert cli.run("directory", "import", csv, "--as", "claire").returncode == 7
    assert cli.run("directory", "import", tmp_path / "missing.csv").returncode == 5


def test_info_shows_shares_and_mail_errors_to_privileged_profiles(cli, tmp_path):
    uid, _ = shared_world(cli, tmp_path)
    cli.json("share", uid, "--to", "claire@example.org,friend@example.org")
    cli.run("shares", "revoke", cli.json("shares", "list")["shares"][1]["id"], expect=0)
    info = cli.json("info", uid)
    assert info["privileged"] is True
    assert info["study"]["patient"]["family_name"] == "Durand"
    assert [s["recipient"] for s in info["shares"]] == ["claire@example.org", "friend@example.org"]
    assert info["shares"][1]["revoked_at"] and info["shares"][0]["shared_by"] == "system"
    assert info["mail_errors"] == []
    text = cli.run("info", uid, expect=0).stdout
    assert "Shares" in text and "friend@example.org" in text and "revoked" in text
    mine = cli.json("info", uid, "--as", "claire")
    assert mine["privileged"] is False and "shares" not in mine
    assert cli.run("info", "1.2.3.404").returncode == 5
