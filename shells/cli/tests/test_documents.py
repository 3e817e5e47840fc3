"""`portal attach` (ING-3) and `portal dicomize` (ING-4)."""
import subprocess

from conftest import PYDICOM_TEST_FILES

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
       b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def test_attach_adds_pdf_and_images_and_refuses_other_files(cli, tmp_path):
    ingest = cli.json("ingest", PYDICOM_TEST_FILES / "CT_small.dcm")
    study, sop = ingest["files"][0]["study_uid"], ingest["files"][0]["sop_uid"]
    (tmp_path / "report.pdf").write_bytes(PDF)
    cli.run("render", sop, "-o", tmp_path / "key.jpg", expect=0)
    (tmp_path / "notes.txt").write_text("hello")
    out = cli.json("attach", study, tmp_path / "report.pdf", tmp_path / "key.jpg",
                   tmp_path / "notes.txt", expect=3)
    statuses = [f["status"] for f in out["files"]]
    assert statuses == ["stored", "stored", "rejected"]
    assert "PDF" in out["files"][2]["message"]
    shown = cli.json("show", study)
    assert shown["study"]["num_instances"] == 3
    assert "DOC" in shown["study"]["modalities"]
    # The PDF instance is a real DICOM file DCMTK reads.
    pdf_sop = out["files"][0]["sop_uid"]
    listed = cli.json("instances", study)["instances"]
    assert any(i["sop_uid"] == pdf_sop for i in listed)
    assert cli.run("attach", "1.2.3.4", tmp_path / "report.pdf").returncode == 5


def test_dicomize_makes_a_new_study_and_names_missing_fields(cli, tmp_path):
    ingest = cli.json("ingest", PYDICOM_TEST_FILES / "CT_small.dcm")
    sop = ingest["files"][0]["sop_uid"]
    cli.run("render", sop, "--format", "png", "-o", tmp_path / "a.png", expect=0)
    bad = cli.run("dicomize", tmp_path / "a.png", "--patient-name", "Lefèvre^Hélène",
                  "--birth-date", "1965-08-11", "--sex", "F", "--patient-id", "P9",
                  "--study-date", "20261127")
    assert bad.returncode == 2 and "birth date" in bad.stderr
    out = cli.json("dicomize", tmp_path / "a.png", "--patient-name", "Lefèvre^Hélène",
                   "--birth-date", "19650811", "--sex", "F", "--patient-id", "P9",
                   "--study-date", "20261127", "--modality", "XC", "--description", "Photo")
    assert [f["status"] for f in out["files"]] == ["stored"]
    found = cli.json("studies", "--last-name", "lefevre")
    assert found["total"] == 1
    study = found["studies"][0]
    assert study["patient"]["given_name"] == "Hélène" and study["modalities"] == ["XC"]


def test_export_writes_a_dicom_zip_with_dicomdir_and_a_jpeg_zip(cli, tmp_path):
    import zipfile
    ingest = cli.json("ingest", PYDICOM_TEST_FILES / "CT_small.dcm")
    study = ingest["files"][0]["study_uid"]
    cli.run("export", study, "-o", tmp_path / "s.zip", expect=0)
    names = zipfile.ZipFile(tmp_path / "s.zip").namelist()
    assert "DICOMDIR" in names and any(n.startswith("DICOM/") for n in names)
    zipfile.ZipFile(tmp_path / "s.zip").extractall(tmp_path / "x")
    dump = subprocess.run(["dcmdump", str(tmp_path / "x" / "DICOMDIR")], capture_output=True,
                          text=True)
    assert dump.returncode == 0 and "IMAGE" in dump.stdout
    cli.run("export", study, "--format", "jpeg", "-o", tmp_path / "j.zip", expect=0)
    z = zipfile.ZipFile(tmp_path / "j.zip")
    assert len(z.namelist()) == 1 and z.read(z.namelist()[0])[:3] == b"\xff\xd8\xff"
    cli.run("export", study, "--format", "pdf", "-o", tmp_path / "s.pdf", expect=0)
    assert (tmp_path / "s.pdf").read_bytes()[:5] == b"%PDF-"
    assert cli.run("export", study, "--format", "tiff", "-o", tmp_path / "t.zip").returncode == 2
    assert cli.run("export", "1.2.3", "-o", tmp_path / "n.zip").returncode == 5
    assert not (tmp_path / "n.zip").exists() and not (tmp_path / "n.zip.part").exists()
