"""Typing stub for the `portal` extension module (libportal's Python binding).

Every operation goes through a Session obtained from an open Portal. See docs/python.md.
"""

import datetime
import os
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
    def to_dict(self) -> dict[str, str]: ...
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
    def to_dict(self) -> dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

# --- Portal and Session ------------------------------------------------------------------------

class Session:
    """Every operation, on behalf of one principal. Thread-safe."""

    @property
    def principal(self) -> Literal["system"]: ...
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
    ) -> StudyList: ...
    def study(self, uid: str) -> Study: ...
    def series(self, uid: str) -> list[Series]: ...
    def instances(self, uid: str, series_uid: str = "") -> list[Instance]: ...
    def history(self, uid: str) -> list[Study]: ...
    def instance_bytes(self, sop_uid: str) -> bytes: ...

class Portal:
    """An open data directory (index + file store). Thread-safe."""

    @property
    def data_dir(self) -> str: ...
    def system_session(self) -> Session: ...
    def fsck(self, repair: bool = False) -> FsckReport: ...

def open(
    dir: _Path,
    *,
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
) -> Portal: ...
