"""The sandbox's Open eLMS data: learning resources, users, assignments and progress (thread-safe)."""
from __future__ import annotations

import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Callable, Iterable

from ..errors import BadRequest, NotFound
from .packages import PackageInfo
from .users import UserForm

LEARNING_TYPES = ("audit", "elearning", "elearning_quiz", "induction", "mp4_quiz", "quiz", "skillscan",
                  "vimeo_quiz", "youtube_quiz")
PROGRESS_ACTIONS = ("start", "complete", "fail")
DEFAULT_GROUPS = {1: "All staff", 2: "Managers", 3: "New starters", 4: "Workshop team"}
DEFAULT_PROGRESS_LOG_LIMIT = 1_000_000
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass
class Learning:
    id: int
    name: str
    type: str = "elearning"
    package: PackageInfo | None = None  # None: created through new-resource, nothing to download


@dataclass
class User:
    id: int
    username: str
    email: str
    fname: str
    lname: str
    employee_id: str | None = None
    named: dict[str, dict] = field(default_factory=dict)  # kind -> {"id", "name"} record
    groups: list[int] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    learning: list[int] = field(default_factory=list)  # assigned learning ids, in assignment order


@dataclass
class Progress:
    status: str = "not attempted"
    score: int | None = None
    completion_date: str | None = None


def parse_score(raw: str | None) -> int | None:
    """A progress score as Open eLMS stores it: a whole number 0..100, rounded half up."""
    if raw is None:
        return None
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise BadRequest(f"score must be a number, got {raw!r}") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise BadRequest("score must be between 0 and 100")
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class SandboxState:
    def __init__(self, packages: Iterable[PackageInfo], *, seed_users: int = 1000,
                 progress_log_limit: int = DEFAULT_PROGRESS_LOG_LIMIT,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self._lock = threading.RLock()
        self._clock = clock
        self._learning: dict[int, Learning] = {}
        for number, package in enumerate(packages, start=1):
            self._learning[number] = Learning(id=number, name=package.title, package=package)
        self._users: dict[int, User] = {}
        self._named: dict[str, dict[str, dict]] = {}
        self._groups = dict(DEFAULT_GROUPS)
        self._progress: dict[tuple[int, int], Progress] = {}
        self._progress_log: deque[dict] = deque(maxlen=progress_log_limit)
        self._creator_tokens: dict[int, str] = {}
        for number in range(1, seed_users + 1):
            self._seed_user(number)

    # Learning resources.

    def learning(self, learning_id: int) -> Learning:
        with self._lock:
            found = self._learning.get(learning_id)
        if found is None:
            raise NotFound(f"learning resource {learning_id} not found")
        return found

    def all_learning(self) -> list[Learning]:
        with self._lock:
            return [self._learning[key] for key in sorted(self._learning)]

    def add_learning(self, name: str, kind: str) -> Learning:
        with self._lock:
            learning = Learning(id=max(self._learning, default=0) + 1, name=name, type=kind)
            self._learning[learning.id] = learning
            return learning

    def new_creator_token(self, learning_id: int) -> str:
        """One live token per resource: a new one makes the earlier one useless."""
        self.learning(learning_id)
        with self._lock:
            token = secrets.token_urlsafe(24)
            self._creator_tokens[learning_id] = token
            return token

    def redeem_creator_token(self, token: str) -> Learning | None:
        with self._lock:
            for learning_id, live in list(self._creator_tokens.items()):
                if secrets.compare_digest(live, token):
                    del self._creator_tokens[learning_id]
                    return self._learning[learning_id]
        return None

    # Users.

    def user(self, user_id: int) -> User:
        with self._lock:
            found = self._users.get(user_id)
        if found is None:
            raise NotFound(f"user {user_id} not found")
        return found

    def find_users(self, text: dict[str, str], ids: dict[str, int]) -> list[User]:
        with self._lock:
            return [u for key, u in sorted(self._users.items()) if self._matches(u, text, ids)]

    def add_user(self, form: UserForm) -> User:
        with self._lock:
            self._check_username_free(form.username, None)
            user = User(id=max(self._users, default=0) + 1, username="", email="", fname="", lname="")
            user.employee_id = f"E{user.id:05d}"
            self._apply_form(user, form)
            self._users[user.id] = user
            return user

    def update_user(self, user_id: int, form: UserForm) -> User:
        with self._lock:
            user = self.user(user_id)
            self._check_username_free(form.username, user_id)
            self._apply_form(user, form)
            return user

    def user_json(self, user: User, learning_record: Callable[[Learning], dict]) -> dict:
        """A user as `GET users/` shows it; `learning_record` renders each assigned resource."""
        with self._lock:
            return {
                "id": user.id, "username": user.username, "employee_id": user.employee_id,
                "email": user.email, "fname": user.fname, "lname": user.lname,
                **{kind: (dict(user.named[kind]) if kind in user.named else None)
                   for kind in ("country", "city", "company", "department", "location", "job")},
                "groups": [{"id": g, "name": self._groups[g]} for g in user.groups],
                "learning": [learning_record(self._learning[lid]) for lid in user.learning],
            }

    # Assignments.

    def assign(self, user_id: int, learning_ids: list[int]) -> None:
        with self._lock:
            user = self._user_and_learning(user_id, learning_ids)
            for learning_id in learning_ids:
                if learning_id not in user.learning:
                    user.learning.append(learning_id)

    def unassign(self, user_id: int, learning_ids: list[int]) -> None:
        with self._lock:
            user = self._user_and_learning(user_id, learning_ids)
            user.learning = [lid for lid in user.learning if lid not in learning_ids]

    # Progress.

    def record_progress(self, learning_id: int, user_id: int, action: str, raw_score: str | None) -> list[dict]:
        if action not in PROGRESS_ACTIONS:
            raise BadRequest(f"action must be one of {', '.join(PROGRESS_ACTIONS)}")
        score = parse_score(raw_score)
        with self._lock:
            self._user_and_learning(user_id, [learning_id])
            progress = self._progress.setdefault((learning_id, user_id), Progress())
            if action == "start":
                # The documented rule, even after a completion: "start" marks it in progress.
                progress.status, progress.score, progress.completion_date = "in progress", None, None
            else:
                status = "completed" if action == "complete" else "failed"
                if (progress.status, progress.score) != (status, score) or progress.completion_date is None:
                    # A repeat of the same result keeps its first date: retries are harmless.
                    progress.completion_date = self._clock().strftime(DATE_FORMAT)
                progress.status, progress.score = status, score
            self._progress_log.append({"learning_id": learning_id, "user_id": user_id,
                                       "action": action, "score": score})
            return [self._trainee_json(user_id, progress)]

    def trainees(self, learning_id: int, user_id: int | None = None) -> list[dict]:
        with self._lock:
            self.learning(learning_id)
            if user_id is not None:
                self.user(user_id)
            assigned = {u.id for u in self._users.values() if learning_id in u.learning}
            tracked = {uid for (lid, uid) in self._progress if lid == learning_id}
            wanted = sorted(assigned | tracked)
            if user_id is not None:
                wanted = [uid for uid in wanted if uid == user_id]
            return [self._trainee_json(uid, self._progress.get((learning_id, uid), Progress())) for uid in wanted]

    def trainee(self, learning_id: int, user_id: int) -> dict | None:
        found = self.trainees(learning_id, user_id)
        return found[0] if found else None

    def progress_log(self) -> list[dict]:
        with self._lock:
            return [dict(entry) for entry in self._progress_log]

    def reset_progress(self) -> None:
        with self._lock:
            self._progress.clear()
            self._progress_log.clear()

    # Internals (callers hold the lock).

    def _seed_user(self, number: int) -> None:
        user = User(id=number, username=f"learner{number}", email=f"learner{number}@sandbox.example",
                    fname="Learner", lname=str(number), employee_id=f"E{number:05d}", groups=[1])
        for kind, name in (("company", "Sandbox Ltd"), ("department", "Training"), ("country", "United Kingdom"),
                           ("city", "London"), ("location", "Head office"), ("job", "Learner")):
            user.named[kind] = self._named_record(kind, name)
        self._users[number] = user

    def _named_record(self, kind: str, name: str) -> dict:
        records = self._named.setdefault(kind, {})
        key = name.casefold()
        if key not in records:
            records[key] = {"id": len(records) + 1, "name": name}
        return records[key]

    def _check_username_free(self, username: str, own_id: int | None) -> None:
        for user in self._users.values():
            if user.username.casefold() == username.casefold() and user.id != own_id:
                raise BadRequest(f"username {username!r} is already taken")

    def _apply_form(self, user: User, form: UserForm) -> None:
        if form.groups is not None:
            unknown = [g for g in form.groups if g not in self._groups]
            if unknown:
                raise BadRequest(f"unknown group id(s): {', '.join(map(str, unknown))}")
        user.fname, user.lname, user.username, user.email = form.fname, form.lname, form.username, form.email
        for kind, name in form.named.items():
            user.named[kind] = self._named_record(kind, name)
        if form.groups is not None:
            user.groups = list(dict.fromkeys(form.groups))
        user.details.update(form.details)

    def _user_and_learning(self, user_id: int, learning_ids: list[int]) -> User:
        user = self.user(user_id)
        for learning_id in learning_ids:
            self.learning(learning_id)
        return user

    def _matches(self, user: User, text: dict[str, str], ids: dict[str, int]) -> bool:
        fields = {"fname": user.fname, "lname": user.lname, "username": user.username,
                  "usercode": user.employee_id or "", "email": user.email}
        for name, wanted in text.items():
            if fields[name].casefold() != wanted.casefold():
                return False
        for name, wanted in ids.items():
            kind = name[: -len("_id")]
            if kind == "group":
                if wanted not in user.groups:
                    return False
            elif (user.named.get(kind) or {}).get("id") != wanted:
                return False
        return True

    @staticmethod
    def _trainee_json(user_id: int, progress: Progress) -> dict:
        return {"user_id": user_id, "status": progress.status, "score": progress.score,
                "completion_date": progress.completion_date}
