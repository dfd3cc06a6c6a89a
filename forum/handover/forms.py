"""Forms of the hand-over admin pages: pass items on, one or many at a time."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, Optional

from forum.core.ids import IdField


class ReassignForm(FlaskForm):
    """One item (kind and item_id), all of a kind (kind only) or everything (neither)."""

    kind = HiddenField("Kind", validators=[Optional()])
    item_id = IdField("Item", hidden=True, validators=[Optional()])
    to_user = SelectField("Hand to", coerce=str, validators=[DataRequired()])
