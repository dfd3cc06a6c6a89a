"""Forms for the notifications page and the alert admin pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from forum.alerts.models import WebhookFormat
from forum.core.ids import IdField


class MarkReadForm(FlaskForm):
    """Mark one notification read (`id`), or all of them when no id is sent."""

    id = IdField("Notification", hidden=True, validators=[Optional()])


class WebhookEndpointForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    url = StringField(
        "URL",
        validators=[DataRequired(), Length(max=2048)],
        render_kw={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"},
    )
    format = SelectField(
        "Format",
        choices=[SelectChoice(f.value, f.label) for f in WebhookFormat],
        default=WebhookFormat.GENERIC.value,
    )
    is_active = BooleanField("Active (alerts are sent to it)", default=True)
