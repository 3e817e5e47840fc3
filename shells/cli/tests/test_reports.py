"""`portal report show|set|delete` (LIST-8, VIEW-6), `portal audio add|list|get|delete`
(VIEW-6) and `portal document list|delete` (VIEW-6)."""
import subprocess

from conftest import PYDICOM_TEST_FILES
from test_accounts import PASSWORD, run_with_stdin

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
       b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
OGG = (b"OggS\x00\x02" + b"\x00" * 8 + b"\x01\x00\x00\x00" + b"\x00" * 8 + b"\x01\x13"
       + b"OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00" + b"\x11" * 64)


def ct_study(cli):
    out = cli.json("ingest", PYDICOM_TEST_FILES / "CT_small.dcm")
    return out["files"][0]["study_uid"], out["files"][0]["sop_uid"]


def test_report_set_show_filter_and_delete(cli, tmp_path):
    study, _ = ct_study(cli)
    assert cli.run("report", "show", study).returncode == 5  # none yet
    saved = cli.json("report", "set", study, "--text", "No acute finding.")
    assert saved["status"] == "draft" and saved["author"] == "system"
    shown = cli.json("report", "show", study, "--json")
    assert shown["text"] == "No acute finding." and shown["format"] == "text"
    assert cli.json("studies", "--report", "draft")["total"] == 1
    assert cli.json("studies", "--report", "final")["total"] == 0
    cli.run("report", "set", study, "--text", "Final words.", "--status", "final", expect=0)
    listed = cli.json("studies")["studies"][0]
    assert listed["has_report"] is True and listed["report_status"] == "final"
    # Back to draft is a conflict (exit 6); a bad status is a usage error (exit 2).
    assert cli.run("report", "set", study, "--text", "x").returncode == 6
    assert cli.run("report", "set", study, "--text", "x", "--status", "maybe").returncode == 2
    text = cli.run("report", "show", study, expect=0).stdout
    assert "Final words." in text and "final" in text
    # A PDF file replaces it, byte for byte; --pdf writes it back.
    (tmp_path / "r.pdf").write_bytes(PDF)
    cli.run("report", "set", study, "--file", tmp_path / "r.pdf", "--status", "final", expect=0)
    cli.run("report", "show", study, "--pdf", tmp_path / "back.pdf", expect=0)
    assert (tmp_path / "back.pdf").read_bytes() == PDF
    cli.run("report", "delete", study, expect=0)
    assert cli.run("report", "delete", study).returncode == 5
    assert cli.json("studies", "--report", "no")["total"] == 1


def test_text_report_as_pdf_and_recognised_structured_report(cli, tmp_path):
    out = cli.json("ingest", PYDICOM_TEST_FILES / "test-SR.dcm")
    study = out["files"][0]["study_uid"]
    shown = cli.json("report", "show", study, "--json")
    assert shown["source"] == "dicom" and shown["status"] == "final"
    assert "A mass of" in shown["text"]
    cli.run("report", "show", study, "--pdf", tmp_path / "sr.pdf", expect=0)
    info = subprocess.run(["pdftotext", str(tmp_path / "sr.pdf"), "-"], capture_output=True,
                          text=True)
    assert info.returncode == 0 and "was detected." in info.stdout


def test_report_rights_through_as(cli, tmp_path):
    study, _ = ct_study(cli)
    run_with_stdin(cli, PASSWORD + "\n", "admin", "create", "root", "--email",
                   "root@example.org", "--password-stdin")
    run_with_stdin(cli, PASSWORD + "\n", "users", "add", "claire", "--email",
                   "claire@example.org", "--profile", "referring_physician", "--password-stdin")
    # Not visible to claire: not found (5); visible after a grant but no right: denied (7).
    assert cli.run("report", "set", study, "--text", "x", "--as", "claire").returncode == 5
    cli.run("share", study, "--user", "claire", expect=0)
    assert cli.run("report", "set", study, "--text", "x", "--as", "claire").returncode == 7
    cli.run("report", "set", study, "--text", "Signed.", "--status", "final", expect=0)
    assert cli.json("report", "show", study, "--json", "--as", "claire")["text"] == "Signed."
    assert cli.run("report", "delete", study, "--as", "claire").returncode == 7


def test_audio_add_list_get_delete(cli, tmp_path):
    study, _ = ct_study(cli)
    (tmp_path / "note.ogg").write_bytes(OGG)
    (tmp_path / "fake.ogg").write_bytes(b"not audio at all")
    note_id = cli.run("audio", "add", study, tmp_path / "note.ogg", expect=0).stdout.strip()
    assert cli.run("audio", "add", study, tmp_path / "fake.ogg").returncode == 2
    notes = cli.json("audio", "list", study, "--json")
    assert [n["id"] for n in notes] == [note_id]
    assert notes[0]["media_type"] == "audio/ogg" and notes[0]["name"] == "note.ogg"
    cli.run("audio", "get", note_id, "-o", tmp_path / "back.ogg", expect=0)
    assert (tmp_path / "back.ogg").read_bytes() == OGG
    cli.run("audio", "delete", note_id, expect=0)
    assert cli.json("audio", "list", study, "--json") == []
    assert cli.run("audio", "get", note_id, "-o", tmp_path / "x").returncode == 5


def test_document_list_and_delete(cli, tmp_path):
    study, sop = ct_study(cli)
    (tmp_path / "scan.pdf").write_bytes(PDF)
    added = cli.json("attach", study, tmp_path / "scan.pdf")["files"][0]
    docs = cli.json("document", "list", study, "--json")
    assert [d["sop_uid"] for d in docs] == [added["sop_uid"]]
    assert docs[0]["name"].endswith("scan.pdf")
    # The ingested original is not a document: conflict (6).
    assert cli.run("document", "delete", sop).returncode == 6
    cli.run("document", "delete", added["sop_uid"], expect=0)
    assert cli.json("show", study)["study"]["num_instances"] == 1
    assert cli.run("document", "delete", added["sop_uid"]).returncode == 5
    cli.run("fsck", expect=0)
