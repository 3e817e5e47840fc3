"""Sharing and seen status from Python (DIF-1, DIF-5, DIF-6)."""
import pytest

import portal
from conftest import PYDICOM_TEST_FILES

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def setup(tmp_path):
    p = portal.open(str(tmp_path / "data"), public_base_url="https://portal.example.org")
    s = p.system_session()
    uid = s.ingest(str(PYDICOM_TEST_FILES / "CT_small.dcm")).files[0].study_uid
    p.create_first_administrator(login="root", emails="root@example.org", password=PASSWORD)
    s.add_user(login="rad", emails="rad@example.org", profile="radiologist", password=PASSWORD)
    s.add_user(login="g", emails="g@example.org", profile="guest", password=PASSWORD)
    return p, s, uid


def test_sharing_gives_and_revoking_removes_access(setup):
    p, s, uid = setup
    guest = p.sign_in("g", PASSWORD)
    with pytest.raises(portal.NotFoundError):
        guest.study(uid)
    shares = s.share(uid, "g@example.org, new.person@example.org", message="For review")
    assert [x.recipient for x in shares] == ["g@example.org", "new.person@example.org"]
    assert shares[1].pending and not shares[0].pending
    assert guest.study(uid).uid == uid
    assert {x.id for x in s.shares(uid)} == {x.id for x in shares}
    s.revoke_share(shares[0].id)
    with pytest.raises(portal.NotFoundError):
        guest.study(uid)
    with pytest.raises(portal.InvalidArgumentError):
        s.share(uid, "ok@example.org, not-an-address")
    assert len(s.shares(uid)) == 2  # the refused list added nothing


def test_seen_status_is_recorded_per_role_and_filters(setup):
    p, s, uid = setup
    rad = p.sign_in("rad", PASSWORD)
    assert rad.find_studies(seen="unseen").total == 1
    rad.mark_seen(uid)
    st = rad.study(uid)
    assert st.seen_by_radiologist and not st.seen_by_patient
    assert rad.find_studies(seen="seen").total == 1
    assert rad.find_studies(seen="unseen").total == 0
