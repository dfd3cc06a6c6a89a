"""core.forms.submit owns a form view's transaction: it commits what was saved, and on a
refusal rolls everything back and shows the service's messages on the form."""

from __future__ import annotations

from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.validators import DataRequired

from forum.accounts.models import Department
from forum.core.errors import Conflict, Invalid
from forum.core.forms import submit
from forum.core.web import register_public_endpoint
from forum.extensions import db

PAGE = (
    "{% for m in get_flashed_messages() %}<p class=flash>{{ m }}</p>{% endfor %}"
    "{% for e in form.name.errors %}<p class=error>{{ e }}</p>{% endfor %}"
)


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired()])


def _add_form_view(app: Flask) -> None:
    def view() -> ResponseReturnValue:
        form = NameForm()

        def create() -> Department:
            department = Department(slug=f"d-{form.name.data}", name=form.name.data or "")
            db.session.add(department)
            db.session.flush()  # written, not committed: a refusal must undo it
            if form.name.data == "taken":
                raise Conflict("That name is taken.", fields={"name": "Already in use."})
            if form.name.data == "bad":
                raise Invalid(fields={"name": "Not a good name."})
            return department

        outcome = submit(form, create, success=lambda d: f"Created {d.name}.")
        if outcome.saved:
            return f"saved {outcome.value.slug}", 201
        return render_template_string(PAGE, form=form), outcome.status

    app.add_url_rule("/_test/form", "test_form", view, methods=["GET", "POST"])
    register_public_endpoint(app, "test_form")  # no sign-in: the form is what is tested


def _committed_departments() -> int:
    """Counted over a connection of its own, which sees committed rows only."""
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Department)) or 0


def test_a_saved_form_is_committed_and_flashed(app: Flask, client: FlaskClient) -> None:
    _add_form_view(app)
    response = client.post("/_test/form", data={"name": "parks"})
    assert (response.status_code, response.get_data(as_text=True)) == (201, "saved d-parks")
    assert _committed_departments() == 1
    with client.session_transaction() as session:
        assert session["_flashes"] == [("success", "Created parks.")]


def test_a_refusal_rolls_back_and_shows_the_messages(app: Flask, client: FlaskClient) -> None:
    _add_form_view(app)
    invalid = client.post("/_test/form", data={"name": "bad"})
    assert invalid.status_code == 400
    assert "<p class=error>Not a good name.</p>" in invalid.get_data(as_text=True)
    assert "<p class=flash>" not in invalid.get_data(as_text=True)  # said beside the field
    conflict = client.post("/_test/form", data={"name": "taken"})
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "<p class=error>Already in use.</p>" in html
    assert "<p class=flash>That name is taken.</p>" in html  # a refusal is also said on top
    assert db.session.scalar(select(func.count()).select_from(Department)) == 0
    assert _committed_departments() == 0


def test_nothing_sent_is_200_and_a_form_that_does_not_validate_is_400(
    app: Flask, client: FlaskClient
) -> None:
    _add_form_view(app)
    assert client.get("/_test/form").status_code == 200
    assert client.post("/_test/form", data={"name": ""}).status_code == 400
    assert _committed_departments() == 0
