"""Who sees which studies, through Python: patients, referring physicians, guests with grants,
disabled studies, rights on filters and columns, patient access codes."""

import datetime

import pytest

from conftest import PASSWORD, open_accounts_portal, portal


def uids(page):
    return sorted(s.uid for s in page)


def expected(dataset, pred):
    return sorted(s["study_uid"] for s in dataset.studies if pred(s))


def patient_with_most_studies(dataset):
    counts = {}
    for s in dataset.studies:
        counts.setdefault(s["patient_id"], []).append(s)
    return max(counts.values(), key=len)


# --- patients ----------------------------------------------------------------------------------


def test_patient_signs_in_and_sees_only_their_studies(accounts):
    studies = patient_with_most_studies(accounts.dataset)
    assert len(studies) >= 2
    first = studies[0]
    s = accounts.portal.patient_sign_in(first["accession"], first["birth_date"],
                                        client_address="192.0.2.50")
    assert s.principal == "patient" and s.profile() == "patient"
    assert s.user() is None and s.token
    mine = expected(accounts.dataset, lambda m: m["patient_id"] == first["patient_id"])
    assert uids(s.find_studies()) == mine
    other = next(m for m in accounts.dataset.studies if m["patient_id"] != first["patient_id"])
    with pytest.raises(portal.NotFoundError):
        s.study(other["study_uid"])
    with pytest.raises(portal.NotFoundError):
        s.series(other["study_uid"])
    assert s.study(first["study_uid"]).uid == first["study_uid"]
    # Columns a patient has no right to come back empty.
    assert s.study(first["study_uid"]).accession == ""
    assert s.study(first["study_uid"]).patient.family_name == first["family_name"]
    # Patients have no advanced filters and no administration.
    with pytest.raises(portal.PermissionDeniedError):
        s.find_studies(accession=first["accession"])
    with pytest.raises(portal.PermissionDeniedError):
        s.users()
    with pytest.raises(portal.PermissionDeniedError):
        s.audit()
    # The token resumes a patient session.
    again = accounts.portal.resume(s.token)
    assert again.principal == "patient" and uids(again.find_studies()) == mine
    events = accounts.admin.audit(action="patient_sign_in", login=first["accession"])
    assert events[0].outcome == "success" and events[0].study_uid == first["study_uid"]
    assert events[0].address == "192.0.2.50"


def test_patient_sign_in_accepts_a_date_and_refuses_a_wrong_one(accounts):
    m = accounts.dataset.studies[0]
    birth = datetime.datetime.strptime(m["birth_date"], "%Y%m%d").date()
    s = accounts.portal.patient_sign_in(m["accession"], birth)
    assert m["study_uid"] in uids(s.find_studies())
    with pytest.raises(portal.UnauthenticatedError) as wrong:
        accounts.portal.patient_sign_in(m["accession"], birth + datetime.timedelta(days=1))
    with pytest.raises(portal.UnauthenticatedError) as unknown:
        accounts.portal.patient_sign_in("ACC-NOPE", m["birth_date"])
    assert str(wrong.value) == str(unknown.value)
    with pytest.raises(TypeError):
        accounts.portal.patient_sign_in(m["accession"], 19700101)
    s.sign_out()
    with pytest.raises(portal.UnauthenticatedError):
        s.find_studies()


def test_patient_access_code_when_required(dataset, tmp_path):
    p = open_accounts_portal(tmp_path / "data", patient_access_code=True)
    m = dataset.studies[0]
    p.system_session().ingest(str(dataset.dir / m["path"]))
    admin = p.sign_in("admin", PASSWORD)
    code = admin.new_patient_access_code(m["study_uid"])
    assert isinstance(code, str) and len(code) == 10
    with pytest.raises(portal.UnauthenticatedError):
        p.patient_sign_in(m["accession"], m["birth_date"])
    with pytest.raises(portal.UnauthenticatedError):
        p.patient_sign_in(m["accession"], m["birth_date"], access_code="WRONGCODE0")
    s = p.patient_sign_in(m["accession"], m["birth_date"], access_code=code)
    assert uids(s.find_studies()) == [m["study_uid"]]
    admin.add_user("g", PASSWORD, emails="g@example.org", profile="guest")
    guest = p.sign_in("g", PASSWORD)
    with pytest.raises(portal.NotFoundError):
        guest.new_patient_access_code(m["study_uid"])  # not visible to the guest


# --- referring physicians ------------------------------------------------------------------------


def test_referring_physician_linked_by_name_sees_only_their_studies(accounts):
    ds = accounts.dataset
    name = next(m["referring"] for m in ds.studies if m["referring"].startswith("Martin^"))
    user, s = accounts.add("referring_physician")
    assert s.find_studies().total == 0  # not linked yet: nothing
    accounts.admin.link_referring_physician(user.login, referring_name=name)
    linked = accounts.admin.find_user(user.login)
    assert (linked.referring_name, linked.linked_physician_id) == (name, "")
    mine = expected(ds, lambda m: m["referring"] == name)
    assert mine and uids(s.find_studies()) == mine
    # A patient who shares the family name is not the physician's.
    martin_patient = [m["study_uid"] for m in ds.studies if m["family_name"] == "Martin"]
    assert martin_patient and not set(martin_patient) & set(mine)
    with pytest.raises(portal.NotFoundError):
        s.study(martin_patient[0])
    accounts.admin.link_referring_physician(user.login)  # unlink
    assert s.find_studies().total == 0


def test_referring_name_link_ignores_suffixes(accounts):
    ds = accounts.dataset
    full = next((m["referring"] for m in ds.studies if m["referring"].count("^") >= 3), None)
    if full is None:
        pytest.skip("no referring physician name with a suffix in the data set")
    user, s = accounts.add("referring_physician",
                           referring_name="^".join(full.split("^")[:2]))
    assert uids(s.find_studies()) == expected(ds, lambda m: m["referring"] == full)


# --- grants ------------------------------------------------------------------------------------


def test_grant_study_to_a_guest_then_revoke(accounts):
    m = accounts.dataset.studies[3]
    user, guest = accounts.add("guest")
    assert guest.find_studies().total == 0
    with pytest.raises(portal.NotFoundError):
        guest.study(m["study_uid"])
    grant = accounts.admin.grant_study(m["study_uid"], user.login)
    assert isinstance(grant, portal.StudyGrant)
    assert (grant.study_uid, grant.user_login, grant.granted_by) == (m["study_uid"], user.login,
                                                                     "admin")
    assert grant.active and grant.expires_at == "" and grant.revoked_at == ""
    assert uids(guest.find_studies()) == [m["study_uid"]]
    assert guest.study(m["study_uid"]).uid == m["study_uid"]
    assert len(guest.series(m["study_uid"])) == m["num_series"]
    grants = accounts.admin.study_grants(m["study_uid"])
    assert [g.user_login for g in grants if g.active] == [user.login]
    with pytest.raises(portal.PermissionDeniedError):
        guest.study_grants(m["study_uid"])
    with pytest.raises(portal.PermissionDeniedError):
        guest.grant_study(m["study_uid"], "admin")  # guests have no share right

    accounts.admin.revoke_study_grant(m["study_uid"], user.login)
    assert guest.find_studies().total == 0
    with pytest.raises(portal.NotFoundError):
        guest.study(m["study_uid"])
    with pytest.raises(portal.NotFoundError):
        accounts.admin.revoke_study_grant(m["study_uid"], user.login)
    revoked = [g for g in accounts.admin.study_grants(m["study_uid"]) if g.user_login == user.login]
    assert revoked and not revoked[0].active and revoked[0].revoked_at


def test_grant_study_expiry_takes_a_datetime(accounts):
    m = accounts.dataset.studies[4]
    user, guest = accounts.add("guest")
    utc = datetime.timezone.utc
    until = datetime.datetime.now(utc).replace(microsecond=0) + datetime.timedelta(days=2)
    grant = accounts.admin.grant_study(m["study_uid"], user.login, expires=until)
    assert grant.active
    got = datetime.datetime.fromisoformat(grant.expires_at.replace("Z", "+00:00"))
    assert got == until
    assert m["study_uid"] in uids(guest.find_studies())
    # A naive datetime is local time, as datetime.timestamp() reads it.
    local = datetime.datetime.now() + datetime.timedelta(days=1)
    grant = accounts.admin.grant_study(m["study_uid"], user.login, expires=local)
    got = datetime.datetime.fromisoformat(grant.expires_at.replace("Z", "+00:00"))
    assert abs((got - local.astimezone(utc)).total_seconds()) < 0.01
    with pytest.raises(portal.InvalidArgumentError):
        accounts.admin.grant_study(m["study_uid"], user.login,
                                   expires=datetime.datetime.now(utc) - datetime.timedelta(1))
    with pytest.raises(TypeError):
        accounts.admin.grant_study(m["study_uid"], user.login, expires="tomorrow")
    with pytest.raises(TypeError):
        accounts.admin.grant_study(m["study_uid"], user.login, expires=datetime.date.today())
    accounts.admin.grant_study(m["study_uid"], user.login, expires=None)
    # A new grant replaces the earlier ones of the pair, which stay listed as revoked.
    mine = [g for g in accounts.admin.study_grants(m["study_uid"]) if g.user_login == user.login]
    assert [(g.expires_at, g.active) for g in mine if g.active] == [("", True)]
    assert len(mine) == 3 and all(g.revoked_at for g in mine if not g.active)


def test_referring_physician_may_share_a_visible_study_only(accounts):
    ds = accounts.dataset
    name = next(m["referring"] for m in ds.studies if m["referring"].startswith("Okafor"))
    user, doc = accounts.add("referring_physician", referring_name=name)
    guest_user, guest = accounts.add("guest")
    mine = expected(ds, lambda m: m["referring"] == name)
    other = next(m["study_uid"] for m in ds.studies if m["study_uid"] not in mine)
    doc.grant_study(mine[0], guest_user.login)
    assert uids(guest.find_studies()) == [mine[0]]
    with pytest.raises(portal.NotFoundError):
        doc.grant_study(other, guest_user.login)  # not visible: existence does not leak
    with pytest.raises(portal.PermissionDeniedError):
        doc.study_grants(mine[0])


# --- disabled studies ----------------------------------------------------------------------------


def test_disabled_study_is_hidden_from_non_administrators(accounts):
    m = accounts.dataset.studies[1]
    _, radiologist = accounts.add("radiologist")
    user, guest = accounts.add("guest")
    accounts.admin.grant_study(m["study_uid"], user.login)
    visible = accounts.dataset.studies[2]["study_uid"]
    accounts.admin.grant_study(visible, user.login)
    total = radiologist.find_studies().total
    radiologist.set_study_disabled(m["study_uid"], True)  # radiologists hold disable_study
    try:
        for s in (radiologist, guest):
            with pytest.raises(portal.NotFoundError):
                s.study(m["study_uid"])
            assert m["study_uid"] not in uids(s.find_studies())
        assert radiologist.find_studies().total == total - 1
        assert accounts.admin.study(m["study_uid"]).uid == m["study_uid"]
        assert accounts.system.study(m["study_uid"]).uid == m["study_uid"]
        with pytest.raises(portal.NotFoundError):
            radiologist.set_study_disabled(m["study_uid"], False)  # no longer visible to them
        with pytest.raises(portal.PermissionDeniedError):
            guest.set_study_disabled(visible, True)  # visible, but no disable_study right
    finally:
        accounts.admin.set_study_disabled(m["study_uid"], False)
    assert radiologist.study(m["study_uid"]).uid == m["study_uid"]
    assert guest.study(m["study_uid"]).uid == m["study_uid"]
    actions = [e.action for e in accounts.admin.audit(study_uid=m["study_uid"])]
    assert "study_disable" in actions and "study_enable" in actions


# --- rights on filters and columns ---------------------------------------------------------------


def test_advanced_filters_follow_the_profile_right(accounts):
    m = accounts.dataset.studies[0]
    _, radiologist = accounts.add("radiologist")
    assert uids(radiologist.find_studies(accession=m["accession"])) == [m["study_uid"]]
    accounts.admin.revoke_right("radiologist", "advanced_filters")
    try:
        with pytest.raises(portal.PermissionDeniedError):
            radiologist.find_studies(accession=m["accession"])
        radiologist.find_studies(last_name=m["family_name"])  # basic filters still work
    finally:
        accounts.admin.grant_right("radiologist", "advanced_filters")
    assert uids(radiologist.find_studies(accession=m["accession"])) == [m["study_uid"]]


def test_columns_follow_the_profile_rights(accounts):
    m = accounts.dataset.studies[0]
    _, radiologist = accounts.add("radiologist")
    assert radiologist.study(m["study_uid"]).accession == m["accession"]
    accounts.admin.revoke_right("radiologist", "column:accession")
    try:
        assert radiologist.study(m["study_uid"]).accession == ""
        assert accounts.admin.study(m["study_uid"]).accession == m["accession"]
    finally:
        accounts.admin.grant_right("radiologist", "column:accession")
    assert radiologist.study(m["study_uid"]).accession == m["accession"]


def test_radiologist_sees_every_enabled_study(accounts):
    _, radiologist = accounts.add("radiologist")
    assert radiologist.find_studies().total == len(accounts.dataset.studies)


def test_session_as_acts_with_the_users_visibility(accounts):
    ds = accounts.dataset
    name = next(m["referring"] for m in ds.studies if m["referring"].startswith("Schmidt"))
    user, _ = accounts.add("referring_physician", referring_name=name)
    s = accounts.portal.session_as(user.emails[0])
    assert s.principal == "user" and s.profile() == "referring_physician" and s.token == ""
    assert s.user().login == user.login
    assert uids(s.find_studies()) == expected(ds, lambda m: m["referring"] == name)
    with pytest.raises(portal.PermissionDeniedError):
        s.users()
    with pytest.raises(portal.NotFoundError):
        accounts.portal.session_as("no-such-user")
    s.study(s.find_studies()[0].uid)  # a study view is audited
    views = accounts.admin.audit(login=user.login, action="study_view")
    assert views and views[0].address == "session_as"
