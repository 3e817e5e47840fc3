"""Notifications, directory and study information from Python (DIF-2..4, DIF-7, LIST-7), with a
real SMTP server on loopback (tests/mail/smtp_server.py, python3-aiosmtpd)."""
import datetime
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

import portal
from conftest import PYDICOM_TEST_FILES

PASSWORD = "correct horse battery staple 42"
SMTP_SERVER = pathlib.Path(__file__).resolve().parents[3] / "tests" / "mail" / "smtp_server.py"


@pytest.fixture
def smtp(tmp_path):
    port_file, out = tmp_path / "smtp.port", tmp_path / "mail"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, str(SMTP_SERVER), str(port_file), str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(400):  # waiting for the process to start, at most 20 s
        if port_file.exists():
            break
        time.sleep(0.05)
    assert port_file.exists()
    yield int(port_file.read_text()), out
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)


def received(out, to):
    mails = [f.read_bytes().decode("latin-1") for f in sorted(out.iterdir())]
    return [m for m in mails if m.startswith("X-Rcpt: %s\r\n" % to)]


def variant(tmp_path, name, **attrs):
    import pydicom
    ds = pydicom.dcmread(str(PYDICOM_TEST_FILES / "CT_small.dcm"))
    for key, value in attrs.items():
        setattr(ds, key, value)
    for attr in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
        setattr(ds, attr, pydicom.uid.generate_uid(entropy_srcs=[name, attr]))
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    path = tmp_path / (name + ".dcm")
    ds.save_as(str(path), write_like_original=False)
    return str(path)


@pytest.fixture
def world(tmp_path, smtp):
    port, out = smtp
    clock = portal.ManualClock()
    p = portal.open(str(tmp_path / "data"), clock=clock, smtp_host="127.0.0.1", smtp_port=port,
                    notify_rules=[{"name": "ct", "trigger": "study_arrived", "delay_minutes": 30,
                                   "modalities": ["CT"]}],
                    load_config=False, durable=False)
    p.create_first_administrator(login="root", emails="root@example.org", password=PASSWORD)
    s = p.system_session()
    s.add_user(login="rad", emails="rad@example.org", profile="radiologist", password=PASSWORD)
    s.add_user(login="claire", emails="claire@example.org", profile="referring_physician",
               password=PASSWORD)
    s.link_referring_physician("claire", "", "Martin^Claire")
    return p, s, clock, out


def test_rules_notify_after_the_delay_and_fail_without_an_account(world, tmp_path):
    p, s, clock, out = world
    mine = s.ingest(variant(tmp_path, "mine", PatientID="P1", PatientName="A^B",
                            ReferringPhysicianName="Martin^Claire")).files[0].study_uid
    lost = s.ingest(variant(tmp_path, "lost", PatientID="P2", PatientName="C^D",
                            ReferringPhysicianName="Nobody^Here")).files[0].study_uid
    assert s.study(mine).notification_status == "scheduled"
    assert p.run_notifications().due == 0
    clock.advance(datetime.timedelta(minutes=31))
    report = p.run_notifications()
    assert (report.due, report.queued, report.failed) == (2, 1, 1)
    p.deliver_mail()
    assert s.study(mine).notification_status == "sent"
    assert len(received(out, "claire@example.org")) == 1
    st = s.study(lost)
    assert st.notification_status == "failure" and "no account" in st.notification_error
    statuses = {x.uid: x.notification_status for x in s.find_studies()}
    assert statuses == {mine: "sent", lost: "failure"}
    [n] = s.notifications(mine)
    assert n.trigger == "study_arrived" and n.rule == "ct" and n.recipient_login == "claire"


def test_manual_notify_needs_the_right(world, tmp_path):
    p, s, clock, out = world
    uid = s.ingest(variant(tmp_path, "m", PatientID="P1", PatientName="A^B",
                           ReferringPhysicianName="Martin^Claire")).files[0].study_uid
    claire = p.sign_in("claire", PASSWORD)
    with pytest.raises(portal.PermissionDeniedError):
        claire.notify(uid)
    n = p.sign_in("rad", PASSWORD).notify(uid)
    assert n.trigger == "manual" and n.status == "scheduled" and n.created_by == "rad"
    p.deliver_mail()
    assert s.notifications(uid)[-1].status == "sent"


def test_study_info_shows_a_refused_recipient(world, tmp_path):
    p, s, clock, out = world
    uid = s.ingest(variant(tmp_path, "i", PatientID="P1", PatientName="Durand^Ann",
                           ReferringPhysicianName="Martin^Claire")).files[0].study_uid
    s.share(uid, "friend@example.org, refused@example.org", message="See")
    p.deliver_mail()
    info = p.sign_in("rad", PASSWORD).study_info(uid)
    assert info.privileged and info.study.patient.family_name == "Durand"
    assert [x.recipient for x in info.shares] == ["friend@example.org", "refused@example.org"]
    [err] = info.mail_errors
    assert err.to == "refused@example.org" and err.status == "failed" and "550" in err.last_error
    d = info.to_dict()
    assert d["mail_errors"][0]["to"] == "refused@example.org"
    assert len(received(out, "friend@example.org")) == 1
    basic = p.sign_in("claire", PASSWORD).study_info(uid)
    assert not basic.privileged and basic.shares == [] and basic.mail_errors == []


def test_directory_import_and_search(world):
    p, s, clock, out = world
    report = s.import_physicians(
        "last_name,first_name,identifier,specialty,city,postcode,department,email\n"
        "Müller,Zoé,10001,Cardiologie,Saint-Étienne,42000,42,zoe@example.org\n"
        "\"Martin, Jr\",Claire,10002,MG,Lyon,69003,69,cm@example.org\n")
    assert (report.added, report.updated) == (2, 0)
    assert [x.email for x in s.find_physicians(name="zoe")] == ["zoe@example.org"]
    assert [x.last_name for x in s.find_physicians(city="lyon")] == ["Martin, Jr"]
    assert [x.identifier for x in s.find_physicians(department="42")] == ["10001"]
    assert len(s.find_physicians(identifier="10002")) == 1
    with pytest.raises(portal.InvalidArgumentError) as e:
        s.import_physicians(b"Ok,One,1,,,,,\nShort,Two\n")
    assert "line 2" in str(e.value)
    assert len(s.find_physicians()) == 2
    with pytest.raises(portal.PermissionDeniedError):
        p.sign_in("claire", PASSWORD).import_physicians("A,B,,,,,,\n")


def test_release_delay_hides_new_studies_from_patients(tmp_path):
    clock = portal.ManualClock()
    p = portal.open(str(tmp_path / "data"), clock=clock, patient_release_delay_minutes=60,
                    load_config=False, durable=False)
    s = p.system_session()
    s.ingest(variant(tmp_path, "r", PatientID="P1", PatientName="A^B",
                     PatientBirthDate="19700101", AccessionNumber="ACC-9"))
    assert p.patient_sign_in("ACC-9", "19700101").find_studies().total == 0
    clock.advance(datetime.timedelta(minutes=61))
    assert p.patient_sign_in("ACC-9", "19700101").find_studies().total == 1


def test_scheduler_thread(world, tmp_path):
    p, s, clock, out = world
    uid = s.ingest(variant(tmp_path, "t", PatientID="P1", PatientName="A^B",
                           ReferringPhysicianName="Martin^Claire")).files[0].study_uid
    sched = portal.NotificationScheduler(p, interval_seconds=0.02, deliver_mail=True)
    sched.start()
    assert sched.running
    clock.advance(datetime.timedelta(minutes=31))
    sched.wake()
    for _ in range(1000):  # a real thread: poll, at most 10 s
        if s.study(uid).notification_status == "sent":
            break
        time.sleep(0.01)
    sched.stop()
    assert s.study(uid).notification_status == "sent"
    assert sched.totals.queued == 1 and not sched.running
