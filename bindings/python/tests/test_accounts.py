"""Accounts through Python: first administrator, sign-in, sessions, administration,
registration, password reset, invitations, audit and the mail outbox."""

import datetime
import threading
import time

import pytest

from conftest import (OTHER_PASSWORD, PASSWORD, open_accounts_portal, portal,
                      spooled_link_token)

PROFILES = ["administrator", "radiologist", "referring_physician", "guest"]


# --- first administrator -----------------------------------------------------------------------


def test_first_administrator_is_active_and_made_once(tmp_path):
    p = portal.open(tmp_path / "data", durable=False, load_config=False)
    admin = p.create_first_administrator("root", PASSWORD, emails=["root@example.org"],
                                         first_name="Ada", last_name="Lovelace")
    assert isinstance(admin, portal.User)
    assert (admin.login, admin.profile, admin.state) == ("root", "administrator", "active")
    assert admin.emails == ["root@example.org"]
    assert admin.first_name == "Ada" and admin.id and admin.created_at.endswith("Z")
    with pytest.raises(portal.ConflictError):
        p.create_first_administrator("root2", PASSWORD, emails="root2@example.org")


def test_first_administrator_password_follows_the_policy(tmp_path):
    p = portal.open(tmp_path / "data", durable=False, load_config=False)
    with pytest.raises(portal.InvalidArgumentError):
        p.create_first_administrator("root", "short", emails="root@example.org")
    with pytest.raises(portal.InvalidArgumentError):
        p.create_first_administrator("root", "password1234", emails="root@example.org")
    # The policy is an option of open().
    q = portal.open(tmp_path / "other", durable=False, load_config=False,
                    password_min_length=30, password_dictionary="")
    with pytest.raises(portal.InvalidArgumentError):
        q.create_first_administrator("root", PASSWORD, emails="root@example.org")


def test_user_value_class(accounts):
    user = accounts.admin.user()
    assert user.login == "admin" and user.profile == "administrator"
    d = user.to_dict()
    assert d["state"] == "active" and d["emails"] == ["admin@example.org"]
    assert d["preferences"] == {"language": "en", "first_tab": "studies", "columns": [],
                                "default_period": "all"}
    assert isinstance(user.preferences, portal.Preferences)
    assert "login='admin'" in repr(user)
    assert user == accounts.admin.find_user("admin")
    assert "password" not in " ".join(d).lower()
    with pytest.raises(AttributeError):
        user.login = "other"


# --- sign-in -----------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_add_user_of_each_profile_then_sign_in(accounts, profile):
    user, session = accounts.add(profile, first_name="Jo", last_name="Doe")
    assert (user.profile, user.state) == (profile, "active")
    assert isinstance(session, portal.Session)
    assert session.principal == "user"
    assert session.profile() == profile
    assert session.user().login == user.login
    assert session.token and session.token != accounts.admin.token
    assert "principal='user'" in repr(session)
    # By email too.
    assert accounts.portal.sign_in(user.emails[0], PASSWORD).user().id == user.id


def test_wrong_password_and_unknown_account_give_the_same_answer(accounts):
    user, _ = accounts.add("radiologist")
    with pytest.raises(portal.UnauthenticatedError) as wrong:
        accounts.portal.sign_in(user.login, "Not-The-Password-1")
    with pytest.raises(portal.UnauthenticatedError) as unknown:
        accounts.portal.sign_in("nobody-at-all", "Not-The-Password-1")
    assert str(wrong.value) == str(unknown.value)
    assert wrong.value.code == "unauthenticated"


def test_system_session_has_no_token_nor_user(accounts):
    assert accounts.system.token == ""
    assert accounts.system.user() is None
    assert accounts.system.profile() == "system"
    assert accounts.system.has_right("share")


def test_token_resumes_the_session_and_sign_out_ends_it(accounts):
    user, session = accounts.add("radiologist")
    again = accounts.portal.resume(session.token)
    assert again.principal == "user" and again.user().id == user.id
    assert again.find_studies().total == session.find_studies().total
    session.sign_out()
    with pytest.raises(portal.UnauthenticatedError):
        accounts.portal.resume(session.token)
    with pytest.raises(portal.UnauthenticatedError):
        again.find_studies()  # the same session, resumed
    with pytest.raises(portal.UnauthenticatedError):
        accounts.portal.resume("not-a-token")


def test_lockout_after_repeated_failures(tmp_path):
    p = open_accounts_portal(tmp_path / "data", lockout_failures=3)
    for _ in range(2):
        with pytest.raises(portal.UnauthenticatedError):
            p.sign_in("admin", "Not-The-Password-1")
    with pytest.raises(portal.UnauthenticatedError) as third:
        p.sign_in("admin", "Not-The-Password-1")
    assert "locked" in str(third.value)
    with pytest.raises(portal.UnauthenticatedError) as right:
        p.sign_in("admin", PASSWORD)  # even the right password, while locked
    assert "locked" in str(right.value)
    audit = p.system_session().audit(action="sign_in", outcome="locked")
    assert audit and all(e.login == "admin" for e in audit)


def test_sign_in_runs_without_the_gil(accounts):
    user, _ = accounts.add("guest")
    errors = []

    def work():
        try:
            for _ in range(3):
                accounts.portal.sign_in(user.login, PASSWORD).sign_out()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def _progress_ratio(call) -> float:
    """How far another Python thread gets while `call` runs, relative to how far it gets while
    this thread merely sleeps for as long. A call that holds the GIL throughout leaves the other
    thread (almost) no progress: ratio near 0. Released, the ratio is near 1. Measuring the
    baseline right next to the call makes the ratio independent of how loaded the machine is."""
    counter, stop, started = [0], threading.Event(), threading.Event()

    def spin():
        started.set()
        while not stop.is_set():
            counter[0] += 1

    thread = threading.Thread(target=spin)
    thread.start()
    started.wait()
    try:
        before = counter[0]
        begin = time.monotonic()
        call()
        elapsed = time.monotonic() - begin
        during = counter[0] - before
        before = counter[0]
        time.sleep(elapsed)
        idle = counter[0] - before
    finally:
        stop.set()
        thread.join()
    assert elapsed > 0.05, "the call was too fast to tell"
    return during / max(idle, 1)


def test_password_hashing_releases_the_gil(tmp_path):
    # More argon2id passes make one sign-in last long enough to watch another Python thread run
    # during it; with the GIL held it would make no progress for the whole call (ratio ~0, as
    # the control below shows). The best of three attempts.
    p = open_accounts_portal(tmp_path / "data", password_hash_passes=30)
    ratios = []
    for _ in range(3):
        ratios.append(_progress_ratio(lambda: p.sign_in("admin", PASSWORD)))
        if ratios[-1] > 0.3:
            break
    assert max(ratios) > 0.3, ratios


def test_gil_probe_sees_a_call_that_holds_the_gil():
    # Control for the probe above: pure-Python work holds the GIL except at switch intervals,
    # so the other thread gets far less than while this one sleeps.
    def busy():
        end = time.monotonic() + 0.2
        while time.monotonic() < end:
            sum(range(20000))

    import sys
    old = sys.getswitchinterval()
    sys.setswitchinterval(1.0)  # no forced switches: busy() keeps the GIL like a C call would
    try:
        ratio = _progress_ratio(busy)
    finally:
        sys.setswitchinterval(old)
    assert ratio < 0.3, ratio


# --- self service ------------------------------------------------------------------------------


def test_change_password_revokes_the_other_sessions(accounts):
    user, first = accounts.add("referring_physician")
    second = accounts.portal.sign_in(user.login, PASSWORD)
    with pytest.raises(portal.UnauthenticatedError):
        first.change_password("Not-The-Password-1", OTHER_PASSWORD)
    first.change_password(PASSWORD, OTHER_PASSWORD)
    assert first.user().login == user.login  # this session goes on
    with pytest.raises(portal.UnauthenticatedError):
        second.find_studies()
    with pytest.raises(portal.UnauthenticatedError):
        accounts.portal.resume(second.token)
    with pytest.raises(portal.UnauthenticatedError):
        accounts.portal.sign_in(user.login, PASSWORD)
    accounts.portal.sign_in(user.login, OTHER_PASSWORD)


def test_update_me_changes_only_the_given_fields(accounts):
    user, session = accounts.add("referring_physician", first_name="Jo", phone="123")
    updated = session.update_me(last_name="Durand", emails=["jo@example.org", "jo2@example.org"])
    assert (updated.first_name, updated.last_name, updated.phone) == ("Jo", "Durand", "123")
    assert updated.emails == ["jo@example.org", "jo2@example.org"]
    assert session.user() == updated
    with pytest.raises(portal.InvalidArgumentError):
        session.update_me(emails="not an email")
    with pytest.raises(portal.AlreadyExistsError):
        session.update_me(emails="admin@example.org")


def test_preferences_round_trip(accounts):
    _, session = accounts.add("radiologist")
    session.set_preferences(language="fr", columns=["patient_name", "date"], default_period="7d")
    prefs = session.user().preferences
    assert (prefs.language, prefs.first_tab, prefs.default_period) == ("fr", "studies", "7d")
    assert prefs.columns == ["patient_name", "date"]
    session.set_preferences(**dict(prefs.to_dict(), first_tab="upload"))
    assert session.user().preferences.columns == ["patient_name", "date"]
    assert session.user().preferences.first_tab == "upload"
    with pytest.raises(portal.InvalidArgumentError):
        session.set_preferences(language="de")
    with pytest.raises(portal.InvalidArgumentError):
        session.set_preferences(columns=["no_such_column"])


def test_system_and_patients_have_no_account_to_change(accounts):
    with pytest.raises(portal.PermissionDeniedError):
        accounts.system.update_me(first_name="x")


# --- administration ----------------------------------------------------------------------------


def test_admin_functions_are_refused_to_non_administrators(accounts):
    for profile in ("radiologist", "referring_physician", "guest"):
        user, s = accounts.add(profile)
        calls = [
            lambda: s.users(),
            lambda: s.find_user("admin"),
            lambda: s.add_user("intruder", PASSWORD, emails="i@example.org"),
            lambda: s.activate_user(user.login),
            lambda: s.disable_user("admin"),
            lambda: s.set_user_profile(user.login, "administrator"),
            lambda: s.link_referring_physician(user.login, "X", "A^B"),
            lambda: s.set_user_password("admin", OTHER_PASSWORD),
            lambda: s.profiles(),
            lambda: s.grant_right(profile, "upload"),
            lambda: s.revoke_right(profile, "download"),
            lambda: s.audit(),
            lambda: s.mail(),
            lambda: s.retry_mail(1),
        ]
        for call in calls:
            with pytest.raises(portal.PermissionDeniedError):
                call()
        assert s.profile() == profile  # nothing changed


def test_users_find_disable_and_activate(accounts):
    user, session = accounts.add("radiologist")
    admin = accounts.admin
    assert user.login in [u.login for u in admin.users()]
    assert user.login in [u.login for u in admin.users("active")]
    assert admin.find_user(user.emails[0]).login == user.login
    assert admin.find_user(user.id).login == user.login
    with pytest.raises(portal.NotFoundError):
        admin.find_user("no-such-user")
    with pytest.raises(portal.InvalidArgumentError):
        admin.users("sleeping")
    admin.disable_user(user.login)
    assert admin.find_user(user.login).state == "disabled"
    assert user.login in [u.login for u in admin.users(state="disabled")]
    with pytest.raises(portal.UnauthenticatedError):
        session.find_studies()
    with pytest.raises(portal.UnauthenticatedError):
        accounts.portal.sign_in(user.login, PASSWORD)
    admin.activate_user(user.login)
    accounts.portal.sign_in(user.login, PASSWORD)
    with pytest.raises(portal.ConflictError):
        admin.disable_user("admin")  # one's own account


def test_add_user_refusals(accounts):
    admin = accounts.admin
    with pytest.raises(portal.AlreadyExistsError):
        admin.add_user("admin", PASSWORD, emails="other@example.org")
    with pytest.raises(portal.InvalidArgumentError):
        admin.add_user("x1", PASSWORD, emails="x1@example.org", profile="janitor")
    with pytest.raises(portal.InvalidArgumentError):
        admin.add_user("bad login!", PASSWORD, emails="x2@example.org")
    with pytest.raises(portal.InvalidArgumentError):
        admin.add_user("x3", "short", emails="x3@example.org")
    with pytest.raises(TypeError):
        admin.add_user("x4", PASSWORD)  # emails is required


def test_set_user_profile_and_password(accounts):
    user, session = accounts.add("guest")
    admin = accounts.admin
    admin.set_user_profile(user.login, "radiologist")
    assert session.profile() == "radiologist"
    assert admin.find_user(user.login).profile == "radiologist"
    with pytest.raises(portal.InvalidArgumentError):
        admin.set_user_profile(user.login, "janitor")
    admin.set_user_password(user.login, OTHER_PASSWORD)
    with pytest.raises(portal.UnauthenticatedError):
        session.find_studies()  # their sessions end
    accounts.portal.sign_in(user.login, OTHER_PASSWORD)


def test_last_administrator_cannot_be_demoted(tmp_path):
    p = open_accounts_portal(tmp_path / "data")
    with pytest.raises(portal.ConflictError):
        p.system_session().set_user_profile("admin", "guest")
    with pytest.raises(portal.ConflictError):
        p.system_session().disable_user("admin")


def test_profiles_and_rights(accounts):
    admin = accounts.admin
    profiles = {p.name: p for p in admin.profiles()}
    assert list(profiles) == PROFILES + ["patient"]
    assert all(isinstance(p, portal.Profile) for p in profiles.values())
    assert profiles["administrator"].rights == portal.known_rights()
    assert "share" not in profiles["guest"].rights
    assert "name='guest'" in repr(profiles["guest"])
    _, guest = accounts.add("guest")
    assert not guest.has_right("share")
    admin.grant_right("guest", "share")
    try:
        assert "share" in {p.name: p for p in admin.profiles()}["guest"].rights
        assert guest.has_right("share")
    finally:
        admin.revoke_right("guest", "share")
    assert not guest.has_right("share")
    with pytest.raises(portal.InvalidArgumentError):
        admin.grant_right("guest", "fly")
    with pytest.raises(portal.InvalidArgumentError):
        admin.grant_right("janitor", "share")


def test_known_rights():
    rights = portal.known_rights()
    assert rights == sorted(rights)
    assert {"upload", "share", "advanced_filters", "column:accession", "tool:zoom"} <= set(rights)


# --- audit -------------------------------------------------------------------------------------


def test_audit_records_sign_ins(accounts):
    user, _ = accounts.add("radiologist")
    with pytest.raises(portal.UnauthenticatedError):
        accounts.portal.sign_in(user.login, "Not-The-Password-1", "192.0.2.7")
    accounts.portal.sign_in(user.login, PASSWORD, client_address="192.0.2.8")
    events = accounts.admin.audit(login=user.login, action="sign_in")
    assert [e.outcome for e in events][:2] == ["success", "failure"]  # newest first
    ok, failed = events[0], events[1]
    assert isinstance(ok, portal.AuditEvent)
    assert ok.user_id == user.id and ok.profile == "radiologist" and ok.address == "192.0.2.8"
    assert failed.address == "192.0.2.7" and failed.user_id == ""
    assert ok.id > failed.id and ok.at.endswith("Z")
    assert ok.to_dict()["action"] == "sign_in"
    # Filters: outcome, time bounds as str / date / datetime, paging.
    assert all(e.outcome == "failure" for e in accounts.admin.audit(outcome="failure"))
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert accounts.admin.audit(login=user.login, action="sign_in", from_=today)
    assert accounts.admin.audit(login=user.login, action="sign_in", to=today.isoformat())
    assert accounts.admin.audit(login=user.login, from_=datetime.datetime.now(
        datetime.timezone.utc) + datetime.timedelta(hours=1)) == []
    assert len(accounts.admin.audit(limit=1)) == 1
    with pytest.raises(portal.InvalidArgumentError):
        accounts.admin.audit(from_="yesterday-ish")
    with pytest.raises(TypeError):
        accounts.admin.audit(from_=12)


# --- registration, mail, password reset, invitations --------------------------------------------


def test_registration_confirmation_and_activation_through_the_outbox(tmp_path):
    p = open_accounts_portal(tmp_path / "data")
    admin = p.sign_in("admin", PASSWORD)
    user = p.register_user(login="newdoc", email="newdoc@example.org", password=PASSWORD,
                           first_name="New", last_name="Doc", physician_id="10001",
                           language="fr", client_address="198.51.100.1")
    assert (user.state, user.profile) == ("awaiting_confirmation", "referring_physician")
    assert user.preferences.language == "fr" and user.physician_id == "10001"
    with pytest.raises(portal.UnauthenticatedError):
        p.sign_in("newdoc", PASSWORD)

    outbox = admin.mail()
    assert [(m.to, m.kind, m.status) for m in outbox] == [
        ("newdoc@example.org", "confirmation", "pending")]
    message = outbox[0]
    assert isinstance(message, portal.MailMessage)
    assert message.language == "fr" and message.subject and message.attempts == 0
    assert message.next_attempt_at and message.sent_at == ""
    assert admin.mail("pending") == outbox and admin.mail(status="sent") == []
    with pytest.raises(portal.InvalidArgumentError):
        admin.mail("lost")

    report = p.deliver_mail()
    assert isinstance(report, portal.MailDeliveryReport)
    assert (report.attempted, report.sent, report.failed, report.retrying) == (1, 1, 0, 0)
    sent = admin.mail("sent")
    assert [m.id for m in sent] == [message.id] and sent[0].sent_at
    assert p.deliver_mail().attempted == 0
    assert list((tmp_path / "data" / "spool").glob("*.eml"))

    token = spooled_link_token(tmp_path / "data", "newdoc@example.org", "/confirm")
    assert token not in message.body  # the outbox keeps the link masked
    p.confirm_registration(token)
    with pytest.raises(portal.NotFoundError):
        p.confirm_registration(token)  # single use
    assert admin.find_user("newdoc").state == "awaiting_activation"
    assert [m.kind for m in admin.mail("pending")] == ["activation_request"]
    assert admin.mail("pending")[0].to == "admin@example.org"
    assert [u.login for u in admin.users("awaiting_activation")] == ["newdoc"]

    admin.activate_user("newdoc")
    assert "account_activated" in [m.kind for m in admin.mail("pending")]
    s = p.sign_in("newdoc", PASSWORD)
    assert s.profile() == "referring_physician"
    actions = {e.action for e in admin.audit(login="newdoc")}
    assert {"register", "confirm_registration", "sign_in"} <= actions


def test_registration_refusals(accounts):
    p = accounts.portal
    form = dict(login="formtest", email="formtest@example.org", password=PASSWORD,
                first_name="F", last_name="T")
    with pytest.raises(portal.InvalidArgumentError):
        p.register_user(**dict(form, password_confirmation=OTHER_PASSWORD))
    with pytest.raises(portal.InvalidArgumentError):
        p.register_user(**dict(form, email="nope"))
    with pytest.raises(portal.InvalidArgumentError):
        p.register_user(**dict(form, language="de"))
    with pytest.raises(portal.AlreadyExistsError):
        p.register_user(**dict(form, login="admin"))
    with pytest.raises(TypeError):
        p.register_user(login="x", email="x@example.org", password=PASSWORD)  # names missing


def test_captcha_when_enabled(tmp_path):
    p = open_accounts_portal(tmp_path / "data", captcha_enabled=True, captcha_length=5)
    captcha = p.new_captcha()
    assert isinstance(captcha, portal.Captcha)
    assert isinstance(captcha.png, bytes) and captcha.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert captcha.id and str(len(captcha.png)) in repr(captcha)
    assert captcha.to_dict()["png"] == captcha.png
    with pytest.raises(portal.InvalidArgumentError):
        p.register_user(login="bot", email="bot@example.org", password=PASSWORD,
                        first_name="B", last_name="Ot")
    with pytest.raises(portal.InvalidArgumentError):
        p.register_user(login="bot", email="bot@example.org", password=PASSWORD,
                        first_name="B", last_name="Ot", captcha_id=captcha.id,
                        captcha_answer="wrong")


def test_password_reset_through_the_spool(tmp_path):
    p = open_accounts_portal(tmp_path / "data")
    old = p.sign_in("admin", PASSWORD)
    p.request_password_reset("nobody@example.org")  # the same answer: nothing
    p.request_password_reset("admin@example.org", client_address="203.0.113.5")
    assert [m.kind for m in p.system_session().mail()] == ["password_reset"]
    p.deliver_mail()
    token = spooled_link_token(tmp_path / "data", "admin@example.org", "/reset-password")
    with pytest.raises(portal.InvalidArgumentError):
        p.reset_password(token, "short")  # refused, the link stays usable
    p.reset_password(token, OTHER_PASSWORD)
    with pytest.raises(portal.NotFoundError):
        p.reset_password(token, OTHER_PASSWORD)
    with pytest.raises(portal.UnauthenticatedError):
        old.find_studies()
    p.sign_in("admin", OTHER_PASSWORD)


def test_invitation_registers_a_guest(accounts):
    _, radiologist = accounts.add("radiologist")
    inv = radiologist.invite("visitor@example.org", language="en")
    assert isinstance(inv, portal.Invitation)
    assert inv.email == "visitor@example.org" and inv.token and inv.token in inv.link
    assert inv.expires_at.endswith("Z")
    assert inv.token not in repr(inv)
    assert any(m.kind == "invitation" and m.to == "visitor@example.org"
               for m in accounts.admin.mail())
    guest = accounts.portal.accept_invitation(inv.token, login="visitor", password=PASSWORD,
                                              first_name="Vi", last_name="Sitor")
    assert (guest.profile, guest.state, guest.emails) == ("guest", "active",
                                                         ["visitor@example.org"])
    with pytest.raises(portal.NotFoundError):
        accounts.portal.accept_invitation(inv.token, login="visitor2", password=PASSWORD,
                                          first_name="Vi", last_name="Sitor")
    s = accounts.portal.sign_in("visitor@example.org", PASSWORD)
    assert s.profile() == "guest"
    with pytest.raises(portal.PermissionDeniedError):
        s.invite("friend@example.org")  # guests may not share
    with pytest.raises(portal.PermissionDeniedError):
        s.update_me(emails="elsewhere@example.org")  # a guest's email is the invited one


def test_retry_mail(tmp_path):
    p = open_accounts_portal(tmp_path / "data")
    s = p.system_session()
    p.request_password_reset("admin")
    (message,) = s.mail()
    s.retry_mail(message.id)
    with pytest.raises(portal.NotFoundError):
        s.retry_mail(message.id + 1000)


# --- open() options ------------------------------------------------------------------------------


def test_open_option_types_are_checked(tmp_path):
    with pytest.raises(TypeError):
        portal.open(tmp_path / "a", durable=1)
    with pytest.raises(TypeError):
        portal.open(tmp_path / "b", password_min_length="12")
    with pytest.raises(TypeError):
        portal.open(tmp_path / "c", lockout_failures=True)
    with pytest.raises(TypeError):
        portal.open(tmp_path / "d", public_base_url=8080)
    with pytest.raises(TypeError):
        portal.open(tmp_path / "e", no_such_option=None)


def test_public_base_url_is_used_in_links(tmp_path):
    p = open_accounts_portal(tmp_path / "data", public_base_url="https://portal.example.org")
    inv = p.system_session().invite("guest@example.org")
    assert inv.link.startswith("https://portal.example.org/")


def test_mail_spool_dir_option(tmp_path):
    p = open_accounts_portal(tmp_path / "data", mail_spool_dir=str(tmp_path / "outgoing"))
    p.request_password_reset("admin")
    assert p.deliver_mail().sent == 1
    assert len(list((tmp_path / "outgoing").glob("*.eml"))) == 1
