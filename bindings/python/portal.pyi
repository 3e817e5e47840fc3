"""Typing stub for the `portal` extension module (libportal's Python binding).

Every operation goes through a Session obtained from an open Portal. See docs/python.md.
"""

import builtins
import datetime
import os

import numpy
from typing import Callable, Iterator, Literal, Sequence, overload

__version__: str

_Path = str | bytes | os.PathLike[str] | os.PathLike[bytes]
_Date = str | datetime.date
_IngestStatus = Literal["stored", "duplicate", "rejected"]
_ErrorCodeName = Literal[
    "invalid_argument",
    "not_found",
    "already_exists",
    "permission_denied",
    "unauthenticated",
    "conflict",
    "corrupt",
    "too_large",
    "unsupported",
    "io",
    "internal",
]
_FsckKind = Literal["missing_file", "orphan_file", "hash_mismatch", "size_mismatch"]
_Profile = Literal["administrator", "radiologist", "referring_physician", "guest"]
_UserState = Literal["awaiting_confirmation", "awaiting_activation", "active", "disabled"]
_MailStatus = Literal["pending", "sent", "failed"]
_Emails = str | Sequence[str]
_AuditTime = str | datetime.date | datetime.datetime

# --- Errors ----------------------------------------------------------------------------------

class Error(Exception):
    """Base class of every error the library reports."""

    code: str
    """Stable error code name, e.g. 'not_found'."""

class InvalidArgumentError(Error):
    """code == "invalid_argument"."""

class NotFoundError(Error):
    """code == "not_found"."""

class AlreadyExistsError(Error):
    """code == "already_exists"."""

class PermissionDeniedError(Error):
    """code == "permission_denied"."""

class UnauthenticatedError(Error):
    """code == "unauthenticated"."""

class ConflictError(Error):
    """code == "conflict"."""

class CorruptError(Error):
    """code == "corrupt"."""

class TooLargeError(Error):
    """code == "too_large"."""

class UnsupportedError(Error):
    """code == "unsupported"."""

class IoError(Error):
    """code == "io"."""

class InternalError(Error):
    """code == "internal"."""

# --- Value types (read-only) -------------------------------------------------------------------

class Patient:
    @property
    def patient_id(self) -> str: ...
    @property
    def family_name(self) -> str: ...
    @property
    def given_name(self) -> str: ...
    @property
    def birth_date(self) -> str:
        """YYYYMMDD or empty."""
    @property
    def sex(self) -> str:
        """M, F, O or empty."""
    def to_dict(self) -> dict[str, str]: ...
    def __eq__(self, other: object) -> bool: ...

class Study:
    @property
    def uid(self) -> str: ...
    @property
    def patient(self) -> Patient: ...
    @property
    def date(self) -> str:
        """YYYYMMDD or empty."""
    @property
    def time(self) -> str:
        """HHMMSS or empty."""
    @property
    def description(self) -> str: ...
    @property
    def accession(self) -> str: ...
    @property
    def referring_physician(self) -> str: ...
    @property
    def performing_physician(self) -> str: ...
    @property
    def reading_physician(self) -> str: ...
    @property
    def institution(self) -> str: ...
    @property
    def repository(self) -> str: ...
    @property
    def modalities(self) -> list[str]: ...
    @property
    def num_series(self) -> int: ...
    @property
    def num_instances(self) -> int: ...
    @property
    def size_bytes(self) -> int: ...
    @property
    def received_at(self) -> str: ...
    @property
    def updated_at(self) -> str: ...
    @property
    def seen_by_radiologist(self) -> bool: ...
    @property
    def seen_by_referring(self) -> bool: ...
    @property
    def seen_by_patient(self) -> bool: ...
    @property
    def has_report(self) -> bool:
        """LIST-8: a report this session may read exists."""
    @property
    def report_status(self) -> str:
        """'draft', 'final' or ''."""
    def to_dict(self) -> dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

class Series:
    @property
    def uid(self) -> str: ...
    @property
    def study_uid(self) -> str: ...
    @property
    def modality(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def description(self) -> str: ...
    @property
    def body_part(self) -> str: ...
    @property
    def num_instances(self) -> int: ...
    def to_dict(self) -> dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

class Instance:
    @property
    def sop_uid(self) -> str: ...
    @property
    def sop_class_uid(self) -> str: ...
    @property
    def series_uid(self) -> str: ...
    @property
    def study_uid(self) -> str: ...
    @property
    def transfer_syntax_uid(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def rows(self) -> int: ...
    @property
    def columns(self) -> int: ...
    @property
    def frames(self) -> int:
        """0 when the instance carries no pixel data."""
    @property
    def size_bytes(self) -> int: ...
    @property
    def sha256(self) -> str:
        """Lower-case hex digest of the stored bytes."""
    @property
    def received_at(self) -> str: ...
    def to_dict(self) -> dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

class StudyList:
    """One page of a study search: a sequence of Study plus the count of every match."""

    @property
    def total(self) -> int:
        """Count of every match, not only those returned."""
    @property
    def limit(self) -> int:
        """The limit actually applied."""
    @property
    def offset(self) -> int: ...
    @property
    def truncated(self) -> bool:
        """True when matches exist beyond this page."""
    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, index: int) -> Study: ...
    @overload
    def __getitem__(self, index: slice) -> list[Study]: ...
    def __iter__(self) -> Iterator[Study]: ...

class IngestResult:
    @property
    def source(self) -> str:
        """The path, or 'archive.zip!entry/name' for an archive member."""
    @property
    def status(self) -> _IngestStatus: ...
    @property
    def error(self) -> _ErrorCodeName | None:
        """Error code name when rejected, else None."""
    @property
    def message(self) -> str:
        """Why the file was rejected (empty otherwise)."""
    @property
    def study_uid(self) -> str: ...
    @property
    def series_uid(self) -> str: ...
    @property
    def sop_uid(self) -> str: ...
    @property
    def size_bytes(self) -> int: ...
    def to_dict(self) -> dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

class IngestProgress:
    @property
    def files_done(self) -> int: ...
    @property
    def files_found(self) -> int:
        """Files discovered so far (grows while walking folders)."""
    @property
    def discovery_complete(self) -> bool: ...
    @property
    def bytes_done(self) -> int: ...
    def to_dict(self) -> dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

class IngestReport:
    @property
    def files(self) -> list[IngestResult]:
        """One result per file (empty when collect_results=False)."""
    @property
    def stored(self) -> int: ...
    @property
    def duplicates(self) -> int: ...
    @property
    def rejected(self) -> int: ...
    @property
    def bytes_stored(self) -> int: ...
    def to_dict(self) -> dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

class FsckIssue:
    @property
    def kind(self) -> _FsckKind: ...
    @property
    def blob_id(self) -> str: ...
    @property
    def sop_uid(self) -> str:
        """Empty for orphan files."""
    @property
    def detail(self) -> str: ...
    @property
    def repaired(self) -> bool:
        """Fixed by this run (fsck with repair)."""
    def to_dict(self) -> dict[str, str | bool]: ...
    def __eq__(self, other: object) -> bool: ...

class FsckReport:
    @property
    def issues(self) -> list[FsckIssue]: ...
    @property
    def clean(self) -> bool: ...
    @property
    def instances_checked(self) -> int: ...
    @property
    def files_checked(self) -> int: ...
    @property
    def repaired(self) -> int: ...
    @property
    def remaining(self) -> int:
        """Issues still present after this run."""
    def to_dict(self) -> dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

# --- Accounts: value types (read-only) ----------------------------------------------------------

def known_rights() -> list[str]:
    """Every right name a profile may hold (named rights, then column:* and tool:*), sorted."""

class Preferences:
    @property
    def language(self) -> str:
        """'en' or 'fr'."""
    @property
    def first_tab(self) -> str: ...
    @property
    def columns(self) -> list[str]:
        """Study-list columns shown; empty = the profile's default."""
    @property
    def default_period(self) -> str: ...
    def to_dict(self) -> dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

class User:
    """An account. Never carries a password or its hash."""

    @property
    def id(self) -> str:
        """Random public id."""
    @property
    def login(self) -> str: ...
    @property
    def emails(self) -> list[str]:
        """The first is the primary address."""
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def physician_id(self) -> str:
        """As declared by the user."""
    @property
    def linked_physician_id(self) -> str:
        """Referring physician identifier found in studies (set by administrators)."""
    @property
    def referring_name(self) -> str:
        """Referring physician DICOM name 'FAMILY^GIVEN' (set by administrators)."""
    @property
    def profile(self) -> _Profile: ...
    @property
    def state(self) -> _UserState: ...
    @property
    def preferences(self) -> Preferences: ...
    @property
    def created_at(self) -> str:
        """UTC ISO 8601."""
    def to_dict(self) -> dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

class Profile:
    @property
    def name(self) -> str:
        """An account profile, or 'patient'."""
    @property
    def rights(self) -> list[str]:
        """Sorted right names."""
    def to_dict(self) -> dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

class Captcha:
    @property
    def id(self) -> str: ...
    @property
    def png(self) -> bytes: ...
    def to_dict(self) -> dict[str, str | bytes]: ...
    def __eq__(self, other: object) -> bool: ...

class Invitation:
    @property
    def email(self) -> str: ...
    @property
    def token(self) -> str:
        """Single-use secret for Portal.accept_invitation (only in the value invite() returns)."""
    @property
    def link(self) -> str: ...
    @property
    def expires_at(self) -> str: ...
    def to_dict(self) -> dict[str, str]: ...
    def __eq__(self, other: object) -> bool: ...

class StudyGrant:
    @property
    def study_uid(self) -> str: ...
    @property
    def user_login(self) -> str: ...
    @property
    def granted_by(self) -> str:
        """Login, or 'system'."""
    @property
    def created_at(self) -> str: ...
    @property
    def expires_at(self) -> str:
        """UTC ISO 8601; empty = never."""
    @property
    def revoked_at(self) -> str:
        """UTC ISO 8601; empty = not revoked."""
    @property
    def active(self) -> bool:
        """Neither revoked nor expired now."""
    def to_dict(self) -> dict[str, str | bool]: ...
    def __eq__(self, other: object) -> bool: ...

class Share:
    @property
    def id(self) -> int: ...
    @property
    def study_uid(self) -> str: ...
    @property
    def recipient(self) -> str: ...
    @property
    def recipient_login(self) -> str: ...
    @property
    def shared_by(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def created_at(self) -> str: ...
    @property
    def expires_at(self) -> str: ...
    @property
    def revoked_at(self) -> str: ...
    @property
    def pending(self) -> bool: ...
    @property
    def active(self) -> bool: ...
    def to_dict(self) -> dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

class AuditEvent:
    @property
    def id(self) -> int: ...
    @property
    def at(self) -> str:
        """UTC ISO 8601."""
    @property
    def user_id(self) -> str: ...
    @property
    def login(self) -> str:
        """Login as typed for failed sign-ins; 'system'; the accession for patients."""
    @property
    def profile(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def study_uid(self) -> str: ...
    @property
    def patient_id(self) -> str: ...
    @property
    def outcome(self) -> str:
        """'success', 'failure', 'locked' or 'denied'."""
    @property
    def detail(self) -> str: ...
    def to_dict(self) -> dict[str, str | int]: ...
    def __eq__(self, other: object) -> bool: ...

class MailMessage:
    @property
    def id(self) -> int: ...
    @property
    def to(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def body(self) -> str:
        """Secrets (links with tokens) are masked."""
    @property
    def kind(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def status(self) -> _MailStatus: ...
    @property
    def attempts(self) -> int: ...
    @property
    def next_attempt_at(self) -> str: ...
    @property
    def last_error(self) -> str: ...
    @property
    def created_at(self) -> str: ...
    @property
    def sent_at(self) -> str: ...
    def to_dict(self) -> dict[str, str | int]: ...
    def __eq__(self, other: object) -> bool: ...

class MailDeliveryReport:
    @property
    def attempted(self) -> int: ...
    @property
    def sent(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def retrying(self) -> int: ...
    def to_dict(self) -> dict[str, int]: ...
    def __eq__(self, other: object) -> bool: ...

# --- Portal and Session ------------------------------------------------------------------------

class ManualClock:
    """A clock that only moves when told to (tests of expiry): portal.open(..., clock=...)."""

    def __init__(self, start: datetime.datetime | None = None) -> None: ...
    def now(self) -> datetime.datetime:
        """The clock's time, an aware UTC datetime."""
    def set(self, t: datetime.datetime) -> None: ...
    def advance(self, d: datetime.timedelta) -> None: ...

class Report:
    """The report of a study (LIST-8): text or PDF, draft or final."""

    @property
    def study_uid(self) -> str: ...
    @property
    def status(self) -> Literal["draft", "final"]: ...
    @property
    def format(self) -> Literal["text", "pdf"]: ...
    @property
    def text(self) -> str: ...
    @property
    def pdf_size(self) -> int: ...
    @property
    def author(self) -> str: ...
    @property
    def created_at(self) -> str: ...
    @property
    def updated_at(self) -> str: ...
    @property
    def source(self) -> Literal["portal", "dicom"]: ...
    @property
    def sop_uid(self) -> str: ...

class AudioNote:
    """An audio note attached to a study (VIEW-6)."""

    @property
    def id(self) -> str: ...
    @property
    def study_uid(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def media_type(self) -> str: ...
    @property
    def size_bytes(self) -> int: ...
    @property
    def author(self) -> str: ...
    @property
    def created_at(self) -> str: ...

class UploadedDocument:
    """A document uploaded through the portal; only these can be deleted (VIEW-6)."""

    @property
    def sop_uid(self) -> str: ...
    @property
    def study_uid(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def uploaded_by(self) -> str: ...
    @property
    def uploaded_at(self) -> str: ...

class FramePayload:
    @property
    def bytes(self) -> builtins.bytes: ...
    @property
    def media_type(self) -> str: ...
    @property
    def transfer_syntax_uid(self) -> str: ...
    @property
    def rows(self) -> int: ...
    @property
    def columns(self) -> int: ...
    @property
    def samples(self) -> int: ...
    @property
    def bits_allocated(self) -> int: ...

class Session:
    """Every operation, on behalf of one principal. Thread-safe."""

    @property
    def principal(self) -> Literal["system", "user", "patient"]: ...
    @property
    def token(self) -> str:
        """Resumes this session (Portal.resume); empty for the system session. A secret."""
    def ingest(
        self,
        paths: _Path | Sequence[_Path],
        *,
        ignore_patient_id: bool = False,
        update_demographics: bool = False,
        repository: str = "",
        progress: Callable[[IngestResult, IngestProgress], object] | None = None,
        collect_results: bool = True,
    ) -> IngestReport: ...
    def ingest_bytes(
        self,
        name: str,
        data: bytes | bytearray | memoryview,
        *,
        ignore_patient_id: bool = False,
        update_demographics: bool = False,
        repository: str = "",
    ) -> IngestResult: ...
    def find_studies(
        self,
        *,
        period: str = "all",
        date_from: _Date | None = "",
        date_to: _Date | None = "",
        first_name: str = "",
        last_name: str = "",
        modality: str = "",
        patient_id: str = "",
        accession: str = "",
        referring: str = "",
        performing: str = "",
        site: str = "",
        sort: str = "-date",
        limit: int = 0,
        offset: int = 0,
        seen: str = "",
        report: str = "",
    ) -> StudyList: ...
    def study(self, uid: str) -> Study: ...
    def series(self, uid: str) -> list[Series]: ...
    def instances(self, uid: str, series_uid: str = "") -> list[Instance]: ...
    def history(self, uid: str) -> list[Study]: ...
    def instance_bytes(self, sop_uid: str) -> bytes: ...
    # Imaging (API-3, VIEW-7)
    def pixels(self, sop_uid: str, *, frame: int = 0, modality: bool = True) -> numpy.ndarray:
        """Pixel values of one frame (frame=-1: every frame) as a numpy array; modality=True
        applies the modality LUT/rescale (e.g. Hounsfield units)."""
    def render(self, sop_uid: str, *, frame: int = 0, window: tuple[float, float] | None = None,
               preset: str = "", invert: bool = False, width: int = 0, height: int = 0,
               format: str = "jpeg", quality: int = 90) -> bytes: ...
    def thumbnail(self, sop_uid: str, *, size: int = 256) -> bytes: ...
    def frame(self, sop_uid: str, frame: int = 0, *, transfer: str = "as_stored",
              quality: int = 90) -> FramePayload: ...
    # Reports (LIST-8, VIEW-6)
    def report(self, study_uid: str) -> Report | None:
        """None when there is none, or only a draft and no manage_reports right."""
    def report_pdf(self, study_uid: str) -> bytes: ...
    def set_report(self, study_uid: str, *, text: str | None = None,
                   pdf: builtins.bytes | None = None, status: str = "draft") -> Report: ...
    def delete_report(self, study_uid: str) -> None: ...
    # Audio notes (VIEW-6)
    def add_audio(self, study_uid: str, data: builtins.bytes, *, name: str = "") -> AudioNote: ...
    def audio_notes(self, study_uid: str) -> list[AudioNote]: ...
    def audio_note(self, audio_id: str) -> AudioNote: ...
    def audio(self, audio_id: str) -> bytes: ...
    def delete_audio(self, audio_id: str) -> None: ...
    # Documents (ING-3, VIEW-6)
    def add_files(self, study_uid: str,
                  files: list[tuple[str, builtins.bytes]]) -> list[IngestResult]: ...
    def documents(self, study_uid: str) -> list[UploadedDocument]: ...
    def delete_document(self, sop_uid: str) -> None: ...
    # Who
    def user(self) -> User | None: ...
    def profile(self) -> str: ...
    def has_right(self, right: str) -> bool: ...
    def sign_out(self) -> None: ...
    def update_me(
        self,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        physician_id: str | None = None,
        emails: _Emails | None = None,
    ) -> User: ...
    def set_preferences(
        self,
        *,
        language: str = "en",
        first_tab: str = "studies",
        columns: Sequence[str] = [],
        default_period: str = "all",
    ) -> None: ...
    def change_password(self, current_password: str, new_password: str) -> None: ...
    # Administration (administrators and the system)
    def users(self, state: _UserState | None = None) -> list[User]: ...
    def find_user(self, login_email_or_id: str) -> User: ...
    def add_user(
        self,
        login: str,
        password: str,
        *,
        emails: _Emails,
        profile: _Profile = "referring_physician",
        first_name: str = "",
        last_name: str = "",
        phone: str = "",
        physician_id: str = "",
        linked_physician_id: str = "",
        referring_name: str = "",
    ) -> User: ...
    def activate_user(self, login: str) -> None: ...
    def disable_user(self, login: str) -> None: ...
    def set_user_profile(self, login: str, profile: _Profile) -> None: ...
    def link_referring_physician(
        self, login: str, physician_id: str = "", referring_name: str = ""
    ) -> None: ...
    def set_user_password(self, login: str, password: str) -> None: ...
    def profiles(self) -> list[Profile]: ...
    def grant_right(self, profile: str, right: str) -> None: ...
    def revoke_right(self, profile: str, right: str) -> None: ...
    def audit(
        self,
        *,
        login: str = "",
        action: str = "",
        study_uid: str = "",
        patient_id: str = "",
        outcome: str = "",
        from_: _AuditTime | None = None,
        to: _AuditTime | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[AuditEvent]: ...
    def mail(self, status: _MailStatus | None = None) -> list[MailMessage]: ...
    def retry_mail(self, id: int) -> None: ...
    # Studies: access
    def set_study_disabled(self, study_uid: str, disabled: bool) -> None: ...
    def grant_study(
        self, study_uid: str, login: str, expires: datetime.datetime | None = None
    ) -> StudyGrant: ...
    def revoke_study_grant(self, study_uid: str, login: str) -> None: ...
    def study_grants(self, study_uid: str) -> list[StudyGrant]: ...
    def new_patient_access_code(self, study_uid: str) -> str: ...
    def invite(self, email: str, language: str = "") -> Invitation: ...
    # Sharing and seen status (DIF-1, DIF-5, DIF-6)
    def share(self, study_uid: str, recipients: str, message: str = "",
              expires: datetime.datetime | None = None) -> list[Share]: ...
    def share_with_user(self, study_uid: str, login: str, message: str = "",
                        expires: datetime.datetime | None = None) -> Share: ...
    def revoke_share(self, id: int) -> None: ...
    def shares(self, study_uid: str = "") -> list[Share]: ...
    def mark_seen(self, study_uid: str) -> None: ...
    # Desktop viewer and DICOM networking (LIST-7, PLAT-2)
    def viewer_token(self, study_uid: str) -> str: ...
    def send_study(self, study_uid: str, node_name: str) -> SendReport: ...

class SendReport:
    """The outcome of Session.send_study (PLAT-2)."""

    @property
    def node(self) -> str: ...
    @property
    def sent(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def failures(self) -> list[str]: ...

class Portal:
    """An open data directory (index + file store). Thread-safe."""

    @property
    def data_dir(self) -> str: ...
    def system_session(self) -> Session: ...
    def fsck(self, repair: bool = False) -> FsckReport: ...
    # Accounts
    def session_as(self, login: str) -> Session: ...
    def create_first_administrator(
        self,
        login: str,
        password: str,
        *,
        emails: _Emails,
        first_name: str = "",
        last_name: str = "",
        phone: str = "",
    ) -> User: ...
    def sign_in(self, login_or_email: str, password: str, client_address: str = "") -> Session: ...
    def patient_sign_in(
        self,
        accession: str,
        birth_date: _Date,
        client_address: str = "",
        access_code: str = "",
    ) -> Session: ...
    def resume(self, token: str, client_address: str = "") -> Session: ...
    def viewer_session(self, token: str, client_address: str = "") -> Session: ...
    def new_captcha(self) -> Captcha: ...
    def register_user(
        self,
        *,
        login: str,
        email: str,
        password: str,
        first_name: str,
        last_name: str,
        password_confirmation: str | None = None,
        phone: str = "",
        physician_id: str = "",
        language: str = "en",
        captcha_id: str = "",
        captcha_answer: str = "",
        client_address: str = "",
    ) -> User: ...
    def confirm_registration(self, token: str) -> None: ...
    def request_password_reset(self, login_or_email: str, client_address: str = "") -> None: ...
    def reset_password(self, token: str, new_password: str) -> None: ...
    def accept_invitation(
        self,
        token: str,
        *,
        login: str,
        password: str,
        first_name: str,
        last_name: str,
        password_confirmation: str | None = None,
        phone: str = "",
        language: str = "en",
        client_address: str = "",
    ) -> User: ...
    def deliver_mail(self) -> MailDeliveryReport: ...

def open(
    dir: _Path,
    *,
    clock: ManualClock | None = None,
    durable: bool | None = None,
    search_default_limit: int | None = None,
    search_max_limit: int | None = None,
    ingest_threads: int | None = None,
    ingest_batch: int | None = None,
    max_file_bytes: int | None = None,
    max_header_bytes: int | None = None,
    zip_max_entries: int | None = None,
    zip_max_entry_bytes: int | None = None,
    zip_max_total_bytes: int | None = None,
    zip_max_ratio: int | None = None,
    load_config: bool | None = None,
    public_base_url: str | None = None,
    password_min_length: int | None = None,
    password_dictionary: str | None = None,
    password_hash_memory: int | None = None,
    password_hash_passes: int | None = None,
    confirmation_expiry_minutes: int | None = None,
    reset_expiry_minutes: int | None = None,
    invitation_expiry_minutes: int | None = None,
    captcha_enabled: bool | None = None,
    captcha_expiry_minutes: int | None = None,
    captcha_length: int | None = None,
    lockout_failures: int | None = None,
    lockout_address_failures: int | None = None,
    lockout_window_minutes: int | None = None,
    lockout_minutes: int | None = None,
    patient_access_code: bool | None = None,
    session_idle_minutes: int | None = None,
    session_absolute_minutes: int | None = None,
    mail_from: str | None = None,
    default_language: str | None = None,
    smtp_host: str | None = None,
    smtp_port: int | None = None,
    smtp_tls: Literal["none", "starttls", "tls"] | None = None,
    smtp_user: str | None = None,
    smtp_password: str | None = None,
    smtp_timeout_seconds: int | None = None,
    mail_spool_dir: str | None = None,
    mail_max_attempts: int | None = None,
    mail_retry_seconds: int | None = None,
    dicom_aet: str | None = None,
    dicom_port: int | None = None,
    dicom_host: str | None = None,
    dicom_max_associations: int | None = None,
    dicom_timeout_seconds: int | None = None,
    dicom_nodes: list[tuple[str, str, str, int]] | None = None,
    viewer_token_minutes: int | None = None,
    max_report_bytes: int | None = None,
    max_audio_bytes: int | None = None,
    thumbnail_cache: bool | None = None,
) -> Portal: ...
