"""Reports (LIST-8, VIEW-6), audio notes (VIEW-6) and uploaded documents (ING-3, VIEW-6) from
Python, under the same rules as every study call."""
import subprocess

import pytest

import portal
from conftest import PYDICOM_TEST_FILES

PASSWORD = "correct horse battery staple 42"
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
       b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
WEBM = (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
        b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + b"\x55" * 100)


@pytest.fixture
def setup(tmp_path):
    p = portal.open(str(tmp_path / "data"))
    s = p.system_session()
    uid = s.ingest(str(PYDICOM_TEST_FILES / "CT_small.dcm")).files[0].study_uid
    p.create_first_administrator(login="root", emails="root@example.org", password=PASSWORD)
    s.add_user(login="rad", emails="rad@example.org", profile="radiologist", password=PASSWORD)
    s.add_user(login="g", emails="g@example.org", profile="guest", password=PASSWORD)
    return p, s, uid


def test_report_lifecycle_and_indicator(setup, tmp_path):
    p, s, uid = setup
    rad = p.sign_in("rad", PASSWORD)
    assert rad.report(uid) is None
    r = rad.set_report(uid, text="Nothing acute.")
    assert (r.status, r.format, r.author, r.source) == ("draft", "text", "rad", "portal")
    assert rad.study(uid).report_status == "draft"
    assert [x.uid for x in rad.find_studies(report="draft")] == [uid]
    assert rad.find_studies(report="no").total == 0
    # Guests see the study once shared, but not the draft.
    s.share_with_user(uid, "g")
    guest = p.sign_in("g", PASSWORD)
    assert guest.report(uid) is None
    assert guest.study(uid).has_report is False
    with pytest.raises(portal.PermissionDeniedError):
        guest.set_report(uid, text="mine")
    with pytest.raises(portal.PermissionDeniedError):
        guest.find_studies(report="draft")
    rad.set_report(uid, text="Nothing acute.", status="final")
    assert guest.report(uid).text == "Nothing acute."
    assert guest.study(uid).to_dict()["report_status"] == "final"
    with pytest.raises(portal.ConflictError):
        rad.set_report(uid, text="back", status="draft")
    with pytest.raises(portal.InvalidArgumentError):
        rad.set_report(uid, text="x", pdf=PDF)
    with pytest.raises(portal.InvalidArgumentError):
        rad.set_report(uid, text="x", status="signed")
    pdf = rad.report_pdf(uid)
    (tmp_path / "r.pdf").write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True,
                         text=True)
    assert out.returncode == 0 and "Nothing acute." in out.stdout
    rad.set_report(uid, pdf=PDF, status="final")
    assert rad.report(uid).format == "pdf" and rad.report_pdf(uid) == PDF
    rad.delete_report(uid)
    assert rad.report(uid) is None
    with pytest.raises(portal.NotFoundError):
        rad.delete_report(uid)


def test_structured_report_in_ingested_data_is_the_report(tmp_path):
    s = portal.open(str(tmp_path / "data")).system_session()
    uid = s.ingest(str(PYDICOM_TEST_FILES / "test-SR.dcm")).files[0].study_uid
    r = s.report(uid)
    assert r.source == "dicom" and r.status == "final" and "Diameter: 3 cm" in r.text


def test_audio_notes(setup):
    p, s, uid = setup
    rad = p.sign_in("rad", PASSWORD)
    note = rad.add_audio(uid, WEBM, name="dictation.webm")
    assert note.media_type == "audio/webm" and note.author == "rad"
    assert [n.id for n in rad.audio_notes(uid)] == [note.id]
    assert rad.audio(note.id) == WEBM
    assert rad.audio_note(note.id).name == "dictation.webm"
    with pytest.raises(portal.InvalidArgumentError):
        rad.add_audio(uid, b"GIF89a" + b"\0" * 50)
    s.share_with_user(uid, "g")
    guest = p.sign_in("g", PASSWORD)
    assert guest.audio(note.id) == WEBM
    with pytest.raises(portal.PermissionDeniedError):
        guest.delete_audio(note.id)
    rad.delete_audio(note.id)
    assert rad.audio_notes(uid) == []
    with pytest.raises(portal.NotFoundError):
        rad.audio(note.id)


def test_uploaded_documents_are_listed_and_deleted(setup):
    p, s, uid = setup
    rad = p.sign_in("rad", PASSWORD)
    original = s.instances(uid)[0].sop_uid
    results = rad.add_files(uid, [("scan.pdf", PDF), ("key.jpg", rad.render(original))])
    assert [r.status for r in results] == ["stored", "stored"]
    docs = rad.documents(uid)
    assert [d.name for d in docs] == ["scan.pdf", "key.jpg"]
    assert docs[0].uploaded_by == "rad"
    with pytest.raises(portal.ConflictError):
        rad.delete_document(original)
    rad.delete_document(docs[0].sop_uid)
    assert [d.name for d in rad.documents(uid)] == ["key.jpg"]
    assert s.study(uid).num_instances == 2
    with pytest.raises(portal.NotFoundError):
        rad.delete_document(docs[0].sop_uid)
    assert p.fsck().clean
