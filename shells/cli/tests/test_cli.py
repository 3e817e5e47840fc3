"""The `portal` command line, driven as a user would: exit codes, human and JSON output."""
import datetime as dt
import hashlib
import json
import os
import pathlib
import pty
import select
import subprocess
import unicodedata

import pytest

from conftest import PYDICOM_TEST_FILES, Cli

BLOB_DIRS_EXCLUDED = {"tmp", "intent", "owners"}


# --- helpers -------------------------------------------------------------------------------------

def fold(text):
    """Case- and accent-insensitive form, as the portal's name filters compare."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_parts(pn):
    """'Martin^Claire' -> ['Martin', 'Claire']."""
    return [p for p in pn.split("^") if p]


def uids(page):
    return {s["uid"] for s in page["studies"]}


def study_dirs(folder, manifest):
    return [folder / s["path"] for s in manifest["studies"]]


def sha256_file(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def blob_files(data_dir):
    root = pathlib.Path(data_dir) / "blobs"
    return sorted(p for d in root.iterdir() if d.is_dir() and d.name not in BLOB_DIRS_EXCLUDED
                  for p in d.iterdir() if p.is_file())


def day(manifest, days_ago):
    today = dt.datetime.strptime(manifest["today"], "%Y%m%d").date()
    return (today - dt.timedelta(days=days_ago)).strftime("%Y%m%d")


def expect_studies(manifest, predicate):
    return {s["study_uid"] for s in manifest["studies"] if predicate(s)}


# --- global behaviour ----------------------------------------------------------------------------

def test_version_and_help_exit_zero(portal_bin, tmp_path):
    c = Cli(portal_bin, tmp_path / "none")
    version = c.run("--version", data=False, expect=0)
    assert version.stdout.startswith("portal ")
    help_text = c.run("--help", data=False, expect=0).stdout
    for command in ("init", "ingest", "studies", "show", "history", "fsck", "instances"):
        assert command in help_text
    assert "--period" in c.run("studies", "--help", data=False, expect=0).stdout


def test_usage_errors_exit_two(portal_bin, tmp_path):
    c = Cli(portal_bin, tmp_path / "none")
    for argv in ([], ["frobnicate"], ["studies", "--no-such-flag"], ["show"]):
        proc = c.run(*argv, data=False, expect=2)
        assert proc.stderr.startswith("portal: error: ")


def test_a_command_without_data_directory_is_a_usage_error(portal_bin, tmp_path):
    proc = Cli(portal_bin, tmp_path).run("studies", data=False, expect=2)
    assert "portal: error: no data directory" in proc.stderr


def test_a_missing_data_directory_is_not_created_by_accident(portal_bin, tmp_path):
    missing = tmp_path / "typo"
    proc = Cli(portal_bin, missing).run("studies", expect=5)
    assert "portal: error: no portal data directory" in proc.stderr
    assert "portal init" in proc.stderr
    assert not missing.exists()


def test_init_creates_the_data_directory_and_says_what_it_made(portal_bin, tmp_path):
    target = tmp_path / "new" / "portal"
    c = Cli(portal_bin, target)
    out = c.run("init", target, data=False, expect=0).stdout
    assert "Created portal data directory" in out
    assert "index.sqlite" in out and "blobs" in out
    assert (target / "index.sqlite").is_file()
    again = c.run("init", "--json", expect=0)
    assert json.loads(again.stdout) == {
        "data_dir": str(target), "created": False, "index": str(target / "index.sqlite"),
        "blobs": str(target / "blobs")}
    assert "nothing created" in c.run("init", expect=0).stdout


def test_the_data_directory_can_come_from_the_environment(portal_bin, tmp_path):
    c = Cli(portal_bin, tmp_path / "d")
    c.run("init", expect=0)
    proc = subprocess.run([str(portal_bin), "studies", "--json"], capture_output=True, text=True,
                          env={**c.env, "PORTAL_DATA": str(tmp_path / "d")})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total"] == 0


# --- ingest --------------------------------------------------------------------------------------

def test_ingest_counts_match_the_manifest_and_reingest_is_all_duplicates(cli, test_studies):
    folder, manifest = test_studies
    dirs = study_dirs(folder, manifest)
    n = manifest["num_instances"]

    report = cli.json("ingest", *dirs, expect=0)
    assert (report["stored"], report["duplicates"], report["rejected"]) == (n, 0, 0)
    assert len(report["files"]) == n
    expected_sops = {i["uid"] for s in manifest["studies"] for se in s["series"]
                     for i in se["instances"]}
    assert {f["sop_uid"] for f in report["files"]} == expected_sops
    for f in report["files"]:
        assert f["status"] == "stored" and f["error"] is None and f["message"] == ""
        assert f["size_bytes"] == os.path.getsize(f["source"])
    assert report["bytes_stored"] == sum(f["size_bytes"] for f in report["files"])

    again = cli.json("ingest", *dirs, expect=0)
    assert (again["stored"], again["duplicates"], again["rejected"]) == (0, n, 0)
    assert again["bytes_stored"] == 0
    assert {f["status"] for f in again["files"]} == {"duplicate"}

    summary = cli.run("ingest", *dirs, expect=0).stdout
    assert f"{n} files: 0 stored, {n} duplicates, 0 rejected" in summary
    assert cli.json("studies")["total"] == manifest["num_studies"]


def test_ingest_summary_lists_each_rejected_file_and_exits_three(cli, test_studies):
    folder, manifest = test_studies  # the folder also holds manifest.json, which is not DICOM
    proc = cli.run("ingest", folder, expect=3)
    n = manifest["num_instances"]
    assert f"{n + 1} files: {n} stored, 0 duplicates, 1 rejected" in proc.stdout
    rejected = [line for line in proc.stdout.splitlines() if line.startswith("rejected: ")]
    assert len(rejected) == 1
    assert "manifest.json" in rejected[0] and "[corrupt]" in rejected[0]


def test_results_file_gets_one_json_line_per_settled_file(cli, test_studies, tmp_path):
    folder, manifest = test_studies
    results = tmp_path / "results.jsonl"
    cli.run("ingest", folder, "--results", results, expect=3)
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert len(lines) == manifest["num_instances"] + 1
    assert sum(1 for r in lines if r["status"] == "stored") == manifest["num_instances"]
    bad = [r for r in lines if r["status"] == "rejected"]
    assert len(bad) == 1 and bad[0]["error"] == "corrupt" and bad[0]["message"]
    assert set(lines[0]) == {"source", "status", "error", "message", "study_uid", "series_uid",
                             "sop_uid", "size_bytes"}
    # Appends, never truncates.
    cli.run("ingest", folder, "--results", results, expect=3)
    assert len(results.read_text().splitlines()) == 2 * len(lines)


def test_ingest_of_a_missing_path_is_a_clear_error(cli, tmp_path):
    missing = tmp_path / "no" / "such.dcm"
    proc = cli.run("ingest", missing, expect=5)
    assert proc.stderr.startswith("portal: error: ")
    assert str(missing) in proc.stderr
    assert proc.stdout == ""


def test_an_unwritable_results_file_is_an_io_error(cli, test_studies, tmp_path):
    folder, manifest = test_studies
    proc = cli.run("ingest", folder / manifest["studies"][0]["path"], "--results",
                   tmp_path / "no" / "dir" / "r.jsonl", expect=8)
    assert "results file" in proc.stderr


def test_every_pydicom_sample_gets_a_status_and_rejections_a_reason(cli):
    files = [p for p in PYDICOM_TEST_FILES.rglob("*") if p.is_file()]
    proc = cli.run("ingest", PYDICOM_TEST_FILES, "--json")
    assert proc.returncode in (0, 3), proc.stderr
    report = json.loads(proc.stdout)
    assert len(report["files"]) == len(files)
    assert {pathlib.Path(f["source"]).resolve() for f in report["files"]} == \
        {p.resolve() for p in files}
    for f in report["files"]:
        assert f["status"] in ("stored", "duplicate", "rejected")
        if f["status"] == "rejected":
            assert f["message"] and f["error"], f
        else:
            assert f["sop_uid"] and f["study_uid"], f
    assert report["stored"] + report["duplicates"] + report["rejected"] == len(files)
    assert (proc.returncode == 3) == (report["rejected"] > 0)
    assert report["stored"] > 0
    cli.run("fsck", expect=0)


def test_repository_is_recorded_on_new_studies(cli, test_studies):
    folder, manifest = test_studies
    study = manifest["studies"][0]
    cli.run("ingest", folder / study["path"], "--repository", "cd-import", expect=0)
    assert cli.json("show", study["study_uid"])["study"]["repository"] == "cd-import"


def test_ignore_patient_id_merges_a_known_patient_with_another_id(cli, test_studies, tmp_path):
    import dicom_variant
    folder, manifest = test_studies
    study = manifest["studies"][0]
    source = folder / study["series"][0]["path"] / "IM00001.dcm"
    cli.run("ingest", folder / study["path"], expect=0)
    variant = tmp_path / "other_id.dcm"
    dicom_variant.main(["dicom_variant.py", str(source), str(variant), "PatientID=XX999",
                        "--new-uids=study,series,sop"])

    refused = cli.json("ingest", variant, expect=3)
    assert refused["rejected"] == 1
    assert refused["files"][0]["error"] == "conflict"
    assert refused["files"][0]["message"]

    merged = cli.json("ingest", variant, "--ignore-patient-id", expect=0)
    assert merged["stored"] == 1
    new_study = merged["files"][0]["study_uid"]
    history = cli.json("history", new_study)
    assert study["study_uid"] in uids(history)


def test_progress_bar_is_drawn_on_a_terminal(cli, test_studies):
    folder, manifest = test_studies
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(cli.command("ingest", folder / manifest["studies"][0]["path"]),
                                stdout=subprocess.PIPE, stderr=slave, env=cli.env)
        os.close(slave)
        slave = None
        out, _ = proc.communicate(timeout=120)
        seen = b""
        while select.select([master], [], [], 0.5)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
    assert proc.returncode == 0
    n = manifest["studies"][0]["num_instances"]
    assert f"{n}/{n} files".encode() in seen
    assert b"files/s" in seen
    assert b"files/s" not in out  # progress never pollutes stdout


def test_no_progress_bar_when_stderr_is_not_a_terminal(cli, test_studies):
    folder, manifest = test_studies
    proc = cli.run("ingest", folder / manifest["studies"][0]["path"], expect=0)
    assert proc.stderr == ""


# --- studies ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lib(loaded):
    c, manifest, report = loaded
    assert report["rejected"] == 0, report
    return c, manifest


def test_studies_without_filters_lists_everything_newest_first(lib):
    c, manifest = lib
    page = c.json("studies")
    assert page["total"] == manifest["num_studies"]
    assert (page["limit"], page["offset"]) == (150, 0)
    assert uids(page) == {s["study_uid"] for s in manifest["studies"]}
    dates = [s["date"] + s["time"] for s in page["studies"]]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("period,max_days_ago,min_days_ago", [
    ("today", 0, 0), ("yesterday", 1, 1), ("7d", 6, 0), ("30d", 29, 0), ("all", 10**6, 0)])
def test_studies_period_filter(lib, period, max_days_ago, min_days_ago):
    c, manifest = lib
    expected = expect_studies(manifest, lambda s: min_days_ago <= s["days_ago"] <= max_days_ago)
    page = c.json("studies", "--period", period)
    assert uids(page) == expected
    assert page["total"] == len(expected)


def test_studies_custom_date_range_is_inclusive(lib):
    c, manifest = lib
    lo, hi = day(manifest, 25), day(manifest, 3)
    expected = expect_studies(manifest, lambda s: lo <= s["study_date"] <= hi)
    assert len(expected) >= 2
    assert uids(c.json("studies", "--period", "custom", "--from", lo, "--to", hi)) == expected
    assert uids(c.json("studies", "--from", lo, "--to", hi)) == expected
    assert uids(c.json("studies", "--from", hi)) == expect_studies(
        manifest, lambda s: s["study_date"] >= hi)


@pytest.mark.parametrize("flag,value", [
    ("--last-name", "muller"), ("--last-name", "MÜL"), ("--last-name", "dupont"),
    ("--last-name", "lef"), ("--first-name", "zoe"), ("--first-name", "helene")])
def test_studies_name_filters_are_accent_insensitive_prefixes(lib, flag, value):
    c, manifest = lib
    field = "family_name" if flag == "--last-name" else "given_name"
    expected = expect_studies(manifest, lambda s: fold(s[field]).startswith(fold(value)))
    assert expected
    assert uids(c.json("studies", flag, value)) == expected


def test_studies_last_name_muller_finds_mueller(lib):
    c, manifest = lib
    page = c.json("studies", "--last-name", "muller")
    assert page["total"] >= 1
    assert {s["patient"]["family_name"] for s in page["studies"]} == {"Müller"}


@pytest.mark.parametrize("value", ["CT", "us", "MG", "CR"])
def test_studies_modality_filter(lib, value):
    c, manifest = lib
    expected = expect_studies(manifest, lambda s: value.upper() in s["modalities"])
    assert expected
    assert uids(c.json("studies", "--modality", value)) == expected


def test_studies_patient_id_and_accession_are_exact(lib):
    c, manifest = lib
    study = next(s for s in manifest["studies"] if s["family_name"] == "Müller")
    pid = study["patient_id"]
    assert uids(c.json("studies", "--patient-id", pid)) == expect_studies(
        manifest, lambda s: s["patient_id"] == pid)
    assert c.json("studies", "--patient-id", pid[:-2])["total"] == 0
    assert uids(c.json("studies", "--accession", study["accession"])) == {study["study_uid"]}
    assert c.json("studies", "--accession", study["accession"][:-1])["total"] == 0


@pytest.mark.parametrize("value", ["martin", "claire", "dubois", "SCHMIDT"])
def test_studies_referring_filter(lib, value):
    c, manifest = lib
    expected = expect_studies(manifest, lambda s: any(
        fold(p).startswith(fold(value)) for p in name_parts(s["referring"])))
    assert expected
    # "martin" must not match the patient Martin Paul through his own name.
    assert uids(c.json("studies", "--referring", value)) == expected


@pytest.mark.parametrize("value", ["moreau", "petit", "bernard", "lambert"])
def test_studies_performing_filter_matches_performing_or_reading(lib, value):
    c, manifest = lib
    expected = expect_studies(manifest, lambda s: any(
        fold(p).startswith(fold(value))
        for p in name_parts(s["performing"]) + name_parts(s["reading"])))
    assert expected
    assert uids(c.json("studies", "--performing", value)) == expected


@pytest.mark.parametrize("value", ["hopital", "Clinique", "north"])
def test_studies_site_filter(lib, value):
    c, manifest = lib
    expected = expect_studies(manifest, lambda s: fold(s["institution"]).startswith(fold(value)))
    assert expected
    assert uids(c.json("studies", "--site", value)) == expected


def test_studies_filters_combine(lib):
    c, manifest = lib
    expected = expect_studies(manifest, lambda s: fold(s["family_name"]).startswith("muller")
                              and "CT" in s["modalities"])
    assert len(expected) == 2
    assert uids(c.json("studies", "--last-name", "muller", "--modality", "CT")) == expected


def test_studies_sort(lib):
    c, manifest = lib
    by_name = c.json("studies", "--sort", "patient_name")["studies"]
    names = [fold(s["patient"]["family_name"]) for s in by_name]
    assert names == sorted(names)
    oldest_first = [s["date"] for s in c.json("studies", "--sort", "date")["studies"]]
    assert oldest_first == sorted(oldest_first)
    newest_first = [s["date"] for s in c.json("studies", "--sort", "-date")["studies"]]
    assert newest_first == sorted(newest_first, reverse=True)
    accessions = [s["accession"] for s in c.json("studies", "--sort", "-accession")["studies"]]
    assert accessions == sorted(accessions, reverse=True)


def test_studies_limit_and_offset_page_through_all_matches(lib):
    c, manifest = lib
    total = manifest["num_studies"]
    first = c.json("studies", "--limit", 5)
    assert (first["total"], first["limit"], len(first["studies"])) == (total, 5, 5)
    rest = c.json("studies", "--limit", 5, "--offset", 5)
    last = c.json("studies", "--limit", 5, "--offset", 10)
    assert len(last["studies"]) == total - 10 and last["offset"] == 10
    seen = [s["uid"] for p in (first, rest, last) for s in p["studies"]]
    assert len(seen) == len(set(seen)) == total
    assert c.json("studies", "--limit", 100000)["limit"] == 150  # clamped


def test_studies_human_table_and_truncation_notice(lib):
    c, manifest = lib
    out = c.run("studies", "--limit", 5, expect=0).stdout
    header = out.splitlines()[0].split()
    assert header[:2] == ["DATE", "PATIENT"] and "UID" in header
    assert f"5 of {manifest['num_studies']} studies" in out
    assert "--offset 5" in out
    full = c.run("studies", "--last-name", "muller", expect=0).stdout
    assert "Müller Zoé" in full and "3 of 3 studies" in full
    assert "--offset" not in full
    assert "0 of 0 studies" in c.run("studies", "--patient-id", "nobody", expect=0).stdout


@pytest.mark.parametrize("argv", [
    ["--from", "2024-01-01"], ["--to", "20241301"], ["--from", "20250101", "--to", "20240101"],
    ["--period", "fortnight"], ["--sort", "shoe_size"], ["--limit", "-1"],
    ["--limit", "many"]])
def test_studies_bad_input_exits_two(lib, argv):
    c, _ = lib
    proc = c.run("studies", *argv, expect=2)
    assert proc.stderr.startswith("portal: error: ")
    assert proc.stdout == ""


# --- show, instances, history --------------------------------------------------------------------

def test_show_gives_the_study_and_its_series(lib):
    c, manifest = lib
    for m in manifest["studies"]:
        doc = c.json("show", m["study_uid"])
        s = doc["study"]
        assert s["uid"] == m["study_uid"]
        assert s["patient"] == {"patient_id": m["patient_id"], "family_name": m["family_name"],
                                "given_name": m["given_name"], "birth_date": m["birth_date"],
                                "sex": m["sex"]}
        assert s["date"] == m["study_date"]
        assert s["time"] == m["study_time"].split(".")[0]
        for key, field in (("accession", "accession"), ("description", "description"),
                           ("institution", "institution"), ("modalities", "modalities"),
                           ("num_series", "num_series"), ("num_instances", "num_instances")):
            assert s[key] == m[field], key
        assert s["referring_physician"] == " ".join(name_parts(m["referring"]))
        assert s["performing_physician"] == " ".join(name_parts(m["performing"]))
        assert s["reading_physician"] == " ".join(name_parts(m["reading"]))
        assert [(x["uid"], x["number"], x["modality"], x["num_instances"]) for x in doc["series"]] \
            == [(x["uid"], x["number"], x["modality"], x["num_instances"]) for x in m["series"]]
        assert list(s) == ["uid", "patient", "date", "time", "description", "accession",
                           "referring_physician", "performing_physician", "reading_physician",
                           "institution", "repository", "modalities", "num_series",
                           "num_instances", "size_bytes", "received_at", "updated_at",
                           "seen_by_radiologist", "seen_by_referring", "seen_by_patient",
                           "has_report", "report_status",
                           "notification_status", "notification_error"]


def test_show_human_output(lib):
    c, manifest = lib
    m = next(s for s in manifest["studies"] if s["family_name"] == "Müller")
    out = c.run("show", m["study_uid"], expect=0).stdout
    assert "Müller Zoé" in out and m["accession"] in out
    assert "SERIES UID" in out
    for series in m["series"]:
        assert series["uid"] in out


def test_instances_list_the_stored_bytes_digests(lib, test_studies):
    c, manifest = lib
    folder, _ = test_studies
    m = manifest["studies"][0]
    listed = c.json("instances", m["study_uid"])["instances"]
    assert len(listed) == m["num_instances"]
    by_sop = {i["sop_uid"]: i for i in listed}
    for series in m["series"]:
        for inst in series["instances"]:
            assert by_sop[inst["uid"]]["sha256"] == sha256_file(folder / inst["file"])
            assert by_sop[inst["uid"]]["series_uid"] == series["uid"]
    one = m["series"][-1]
    only = c.json("instances", m["study_uid"], "--series", one["uid"])["instances"]
    assert {i["sop_uid"] for i in only} == {i["uid"] for i in one["instances"]}
    assert f"{m['num_instances']} instances" in c.run("instances", m["study_uid"], expect=0).stdout


def test_history_lists_the_same_patients_other_studies(lib):
    c, manifest = lib
    for patient in manifest["patients"]:
        for uid in patient["study_uids"]:
            others = set(patient["study_uids"]) - {uid}
            assert uids(c.json("history", uid)) == others
    multi = next(p for p in manifest["patients"] if p["num_studies"] > 1)
    out = c.run("history", multi["study_uids"][0], expect=0).stdout
    assert f"{multi['num_studies'] - 1} other studies" in out


@pytest.mark.parametrize("command", ["show", "history", "instances"])
def test_unknown_study_exits_five_with_a_message(lib, command):
    c, _ = lib
    proc = c.run(command, "1.2.3.4.5.6.7", expect=5)
    assert proc.stderr.startswith("portal: error: ")
    assert "1.2.3.4.5.6.7" in proc.stderr
    assert proc.stdout == ""
    assert c.run(command, "1.2.3.4.5.6.7", "--json", expect=5).stdout == ""


# --- fsck ----------------------------------------------------------------------------------------

def test_fsck_finds_a_missing_file_and_repair_drops_its_row(cli, test_studies):
    folder, manifest = test_studies
    study = manifest["studies"][0]
    cli.run("ingest", folder / study["path"], expect=0)
    clean = cli.json("fsck", expect=0)
    assert clean["clean"] and clean["issues"] == []
    assert clean["instances_checked"] == clean["files_checked"] == study["num_instances"]
    assert "clean" in cli.run("fsck", expect=0).stdout

    victim = blob_files(cli.data_dir)[0]
    victim.unlink()
    report = cli.json("fsck", expect=4)
    assert not report["clean"] and report["remaining"] == 1
    [issue] = report["issues"]
    assert issue["kind"] == "missing_file"
    assert issue["blob_id"] == victim.name and issue["sop_uid"]
    human = cli.run("fsck", expect=4)
    assert "missing_file" in human.stdout and victim.name in human.stdout

    repaired = cli.json("fsck", "--repair", expect=0)
    assert repaired["repaired"] == 1 and repaired["remaining"] == 0
    assert cli.json("fsck", expect=0)["clean"]
    instances = cli.json("instances", study["study_uid"])["instances"]
    assert issue["sop_uid"] not in {i["sop_uid"] for i in instances}
    # The file can be sent again and is stored anew.
    again = cli.json("ingest", folder / study["path"], expect=0)
    assert again["stored"] == 1


def test_fsck_finds_orphan_and_altered_files(cli, test_studies):
    folder, manifest = test_studies
    cli.run("ingest", folder / manifest["studies"][0]["path"], expect=0)
    blobs = blob_files(cli.data_dir)
    orphan = blobs[0].parent / (blobs[0].name[:2] + "f" * (len(blobs[0].name) - 2))
    assert not orphan.exists()
    orphan.write_bytes(b"not indexed")
    altered = blobs[1]
    data = bytearray(altered.read_bytes())
    data[-1] ^= 0xFF
    altered.write_bytes(bytes(data))

    report = cli.json("fsck", expect=4)
    kinds = {(i["kind"], i["blob_id"]) for i in report["issues"]}
    assert kinds == {("orphan_file", orphan.name), ("hash_mismatch", altered.name)}

    repaired = cli.json("fsck", "--repair", expect=4)  # a hash mismatch is never "repaired"
    assert repaired["repaired"] == 1 and repaired["remaining"] == 1
    assert not orphan.exists()
    assert altered.exists()
    assert [i["kind"] for i in cli.json("fsck", expect=4)["issues"]] == ["hash_mismatch"]
