"""Errors: one Python class per portal::ErrorCode, all subclasses of portal.Error."""

import datetime

import pytest

from conftest import portal

CODES = {
    "InvalidArgumentError": "invalid_argument",
    "NotFoundError": "not_found",
    "AlreadyExistsError": "already_exists",
    "PermissionDeniedError": "permission_denied",
    "UnauthenticatedError": "unauthenticated",
    "ConflictError": "conflict",
    "CorruptError": "corrupt",
    "TooLargeError": "too_large",
    "UnsupportedError": "unsupported",
    "IoError": "io",
    "InternalError": "internal",
}


def test_error_is_an_exception_and_each_code_has_a_subclass():
    assert issubclass(portal.Error, Exception)
    assert portal.Error.__module__ == "portal"
    for name, code in CODES.items():
        cls = getattr(portal, name)
        assert issubclass(cls, portal.Error), name
        assert cls is not portal.Error
        assert cls.code == code
        assert cls.__name__ == name and cls.__module__ == "portal"
    # The classes are distinct: catching one never catches another.
    assert len({getattr(portal, n) for n in CODES}) == len(CODES)


def test_unknown_study_raises_not_found_with_code_and_message(fresh):
    _, s = fresh
    with pytest.raises(portal.NotFoundError) as info:
        s.study("nope")
    assert isinstance(info.value, portal.Error)
    assert not isinstance(info.value, portal.InvalidArgumentError)
    assert info.value.code == "not_found"
    assert str(info.value)  # the core's message comes through


@pytest.mark.parametrize("call", ["series", "history", "instances"])
def test_every_study_call_raises_not_found_for_an_unknown_uid(fresh, call):
    _, s = fresh
    with pytest.raises(portal.NotFoundError):
        getattr(s, call)("1.2.3.999")


def test_unknown_instance_bytes_raises_not_found(fresh):
    _, s = fresh
    with pytest.raises(portal.NotFoundError) as info:
        s.instance_bytes("1.2.3.4")
    assert info.value.code == "not_found"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"date_from": "2024-13-45"},
        {"date_from": "notadate"},
        {"date_to": "20241301"},
        {"date_from": "20240301", "date_to": "20240201"},  # inverted range
        {"period": "fortnight"},
        {"sort": "shoe_size"},
        {"sort": "-"},
        {"limit": -1},
        {"offset": -1},
        {"period": "custom"},  # a custom period needs a date
    ],
)
def test_malformed_queries_raise_invalid_argument(fresh, kwargs):
    _, s = fresh
    with pytest.raises(portal.InvalidArgumentError) as info:
        s.find_studies(**kwargs)
    assert info.value.code == "invalid_argument"
    assert isinstance(info.value, portal.Error)


def test_inverted_date_objects_raise_invalid_argument(fresh):
    _, s = fresh
    with pytest.raises(portal.InvalidArgumentError):
        s.find_studies(date_from=datetime.date(2024, 3, 1), date_to=datetime.date(2024, 2, 1))


def test_missing_path_raises_not_found_before_ingesting_anything(fresh, tmp_path):
    _, s = fresh
    real = tmp_path / "garbage.bin"
    real.write_bytes(b"not dicom")
    with pytest.raises(portal.NotFoundError):
        s.ingest([str(real), str(tmp_path / "does-not-exist")])
    assert s.find_studies().total == 0


def test_wrong_python_types_raise_type_error(fresh):
    _, s = fresh
    with pytest.raises(TypeError):
        s.ingest(42)
    with pytest.raises(TypeError):
        s.ingest([b"ok", 3])
    with pytest.raises(TypeError):
        s.find_studies(date_from=20240101)
    with pytest.raises(TypeError):
        s.ingest("x", progress="not callable")
    with pytest.raises(TypeError):
        portal.open("/tmp/whatever", no_such_option=1)


def test_error_classes_can_be_raised_and_caught_by_base():
    with pytest.raises(portal.Error) as info:
        raise portal.ConflictError("patient mismatch")
    assert info.value.code == "conflict"
    assert str(info.value) == "patient mismatch"
