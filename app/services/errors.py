"""Domain errors: raised by services, rendered once for the API (problem+json) and once for pages."""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """Base of every expected error; carries the HTTP status it maps to."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title


class NotFound(DomainError):
    """The thing does not exist, or the viewer may not know that it does."""

    status = 404
    title = "Not found"


class Forbidden(DomainError):
    """The viewer may see the thing but not do this to it."""

    status = 403
    title = "Forbidden"


class Unauthorized(DomainError):
    """No valid credentials."""

    status = 401
    title = "Unauthorized"


class Conflict(DomainError):
    """The request clashes with what exists (an email already taken, …)."""

    status = 409
    title = "Conflict"


class TooManyAttempts(DomainError):
    """Throttled: too many failures in the window."""

    status = 429
    title = "Too many attempts"

    def __init__(self, detail: str = "", retry_after: int = 60) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


@dataclass
class FieldError:
    """One field's problem, shown beside the field."""

    field: str
    message: str


@dataclass
class Invalid(DomainError):
    """Input that breaks a rule; one or more fields with their messages."""

    errors: list[FieldError] = field(default_factory=list)

    status = 422
    title = "Invalid input"

    def __post_init__(self) -> None:
        self.detail = "; ".join(f"{e.field}: {e.message}" for e in self.errors) or self.title
        Exception.__init__(self, self.detail)

    @classmethod
    def one(cls, field_name: str, message: str) -> Invalid:
        """An error on a single field."""
        return cls([FieldError(field_name, message)])
