"""Typed results of the Open eLMS API, parsed tolerantly from the JSON shapes real sites return."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

T = TypeVar("T")
Id = int | str


class PayloadError(ValueError):
    """The JSON parsed but does not have the documented shape."""


@dataclass(frozen=True)
class LearningResource:
    id: Id
    name: str
    type: str | None = None
    # Only kept when it points inside the configured site (see OpenElmsClient).
    download_link: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class User:
    id: Id | None
    username: str
    employee_id: str | None = None
    email: str | None = None
    fname: str | None = None
    lname: str | None = None
    # "records" in the API: usually objects, sometimes plain names or null.
    country: Any = None
    city: Any = None
    company: Any = None
    department: Any = None
    location: Any = None
    job: Any = None
    groups: list[Any] = field(default_factory=list)
    learning: list[Any] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class TraineeStatus:
    user_id: Id
    status: str  # 'not attempted', 'in progress', 'completed' or 'failed'
    score: int | float | None = None
    completion_date: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Download:
    path: str
    bytes: int
    sha256: str
    content_type: str | None = None


def parse_id(value: Any) -> Id:
    """Ids arrive as ints or strings; numeric ones become ints so they compare equal either way."""
    if isinstance(value, bool) or value is None:
        raise PayloadError(f"not an id: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        return int(text) if text.isdigit() else text
    raise PayloadError(f"not an id: {value!r}")


def parse_learning(item: Any) -> LearningResource:
    data = _object(item, "learning resource")
    extra = dict(data)
    return LearningResource(
        id=parse_id(extra.pop("id", None)),
        name=_text(extra.pop("name", None)) or "",
        type=_text(extra.pop("type", None)),
        download_link=_text(extra.pop("download_link", None)),
        extra=extra,
    )


_USER_SCALARS = ("employee_id", "email", "fname", "lname")
_USER_RECORDS = ("country", "city", "company", "department", "location", "job")


def parse_user(item: Any) -> User:
    data = _object(item, "user")
    extra = dict(data)
    raw_id = extra.pop("id", None)
    values: dict[str, Any] = {name: _text(extra.pop(name, None)) for name in _USER_SCALARS}
    values.update({name: extra.pop(name, None) for name in _USER_RECORDS})
    return User(
        id=None if raw_id is None else parse_id(raw_id),
        username=_text(extra.pop("username", None)) or "",
        groups=_collection(extra.pop("groups", None)),
        learning=_collection(extra.pop("learning", None)),
        extra=extra,
        **values,
    )


def parse_trainee(item: Any) -> TraineeStatus:
    data = _object(item, "trainee status")
    extra = dict(data)
    score = extra.pop("score", None)
    if isinstance(score, str):
        score = _number(score)
    elif score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
        raise PayloadError(f"not a score: {score!r}")
    return TraineeStatus(
        user_id=parse_id(extra.pop("user_id", None)),
        status=_text(extra.pop("status", None)) or "",
        score=score,
        completion_date=_text(extra.pop("completion_date", None)),
        extra=extra,
    )


def parse_list(payload: Any, parse_item: Callable[[Any], T], what: str) -> list[T]:
    """A JSON array of items; an object wrapping one array under `data` is accepted too."""
    if isinstance(payload, dict) and isinstance(payload.get("data"), list):
        payload = payload["data"]
    if not isinstance(payload, list):
        raise PayloadError(f"expected a list of {what}, got {type(payload).__name__}")
    return [parse_item(item) for item in payload]


def parse_one(payload: Any, parse_item: Callable[[Any], T], what: str) -> T | None:
    """One item, whether the site sends the object itself or a list holding it; None when empty."""
    if isinstance(payload, dict) and not isinstance(payload.get("data"), list):
        return parse_item(payload)
    items = parse_list(payload, parse_item, what)
    return items[0] if items else None


def parse_string(payload: Any, what: str) -> str:
    if isinstance(payload, bool) or not isinstance(payload, (str, int)):
        raise PayloadError(f"expected {what} as a string, got {type(payload).__name__}")
    return str(payload)


def _object(item: Any, what: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise PayloadError(f"expected a {what} object, got {type(item).__name__}")
    return item


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise PayloadError(f"expected text, got {type(value).__name__}")


def _number(text: str) -> int | float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise PayloadError(f"not a score: {text!r}") from None
    return int(value) if value.is_integer() else value


def _collection(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):  # some sites key collections by id
        return list(value.values())
    raise PayloadError(f"expected a collection, got {type(value).__name__}")
