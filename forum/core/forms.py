"""Form views in one way: a service's refusal shown on the form, and the one place they commit.

A form view validates, calls one service and commits; when the service refuses (a
`ForumError`), the request's changes are rolled back and the page is shown again with the
person's input and the service's messages next to the fields they concern. `submit` does all of
that, so no view writes `try` / `rollback()` / `commit()` by hand:

    outcome = submit(form, lambda: services.create_department(...), success="Created.")
    if outcome.saved:
        return redirect(url_for("accounts.admin_departments"))
    return render_template("accounts/admin_departments.html", form=form), outcome.status
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from flask import flash
from flask_wtf import FlaskForm

from forum.core.errors import ForumError, Invalid
from forum.extensions import db

T = TypeVar("T")


class ActionForm(FlaskForm):
    """A one-button form (acknowledge, delete, revoke…): it carries the CSRF token, no fields."""


def require_action() -> None:
    """Refuse a one-button POST whose form does not validate (its CSRF token is missing or
    stale) with a 400 that says what to do."""
    if not ActionForm().validate_on_submit():
        raise Invalid("The form expired; reload the page and try again.")


def require_valid(form: FlaskForm) -> None:
    """Refuse a POST whose small form (no page of its own to show it again) does not validate:
    a 400 naming each field's problems."""
    if not form.validate_on_submit():
        raise Invalid(fields={name: "; ".join(errors) for name, errors in form.errors.items()})


def apply_errors(form: FlaskForm, error: ForumError) -> None:
    """Show a service's field messages next to the matching inputs and the rest at the top.

    A refusal that is not about the input (403, 404, 409…) is also said at the top, so the
    person learns why even when a field message names only the detail.
    """
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            flash(message, "error")
    if not error.fields or error.status != 400:
        flash(error.message, "error")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What became of a form: saved (with what the action returned), or the status with which
    the page is shown again: 200 before anything was sent, 400 for input that does not validate,
    the error's own status for a refusal."""

    status: int
    saved: bool = False
    _value: object = None

    @property
    def value(self) -> T:
        """What the action returned; only a saved outcome has one."""
        if not self.saved:
            raise RuntimeError("The form was not saved, so there is no value.")
        return cast(T, self._value)


def submit(
    form: FlaskForm,
    action: Callable[[], T],
    *,
    success: str | Callable[[T], str] | None = None,
    catch: tuple[type[ForumError], ...] = (ForumError,),
) -> Outcome[T]:
    """Validate `form`; when it was sent and is valid, run `action` and commit the request's
    transaction once, flashing `success` (a message, or one made from the action's result).

    Any error rolls everything back. One of a `catch` type is then shown on the form by
    `apply_errors`; others propagate (to the app's error pages, or to a view that shows them
    its own way).
    """
    if not form.validate_on_submit():
        return Outcome(status=400 if form.is_submitted() else 200)
    try:
        value = action()
    except catch as error:
        db.session.rollback()
        apply_errors(form, error)
        return Outcome(status=error.status)
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    message = success(value) if callable(success) else success
    if message:
        flash(message, "success")
    return Outcome(status=200, saved=True, _value=value)
