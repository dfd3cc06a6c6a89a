"""Forms for escalating a thread, handling an escalation, and the admin policy pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from forum.core.ids import IdField
from forum.escalations.models import NOTE_MAX, REASON_MAX, Urgency

URGENCY_CHOICES = [
    SelectChoice(Urgency.ROUTINE.value, "Routine: a senior should look today"),
    SelectChoice(Urgency.URGENT.value, "Urgent: within the hour"),
    SelectChoice(Urgency.CRISIS.value, "Crisis: now (public row, risk of harm)"),
]


class EscalateForm(FlaskForm):
    reason = TextAreaField(
        "Why does this need a senior?", validators=[DataRequired(), Length(max=REASON_MAX)]
    )
    urgency = SelectField("Urgency", choices=URGENCY_CHOICES, default=Urgency.ROUTINE.value)
    post_id = IdField("Post", hidden=True, validators=[Optional()])
    profile = StringField(
        "Which of our social accounts is involved? (optional)",
        validators=[Optional(), Length(max=500)],
        render_kw={"list": "escalate-profiles", "autocomplete": "off"},
    )


class AcknowledgeForm(FlaskForm):
    """Nothing but the CSRF token: one click."""


class ResolveForm(FlaskForm):
    note = TextAreaField("Resolution note", validators=[Optional(), Length(max=NOTE_MAX)])


class ReopenForm(FlaskForm):
    reason = TextAreaField("Why reopen?", validators=[Optional(), Length(max=REASON_MAX)])


class ReassignForm(FlaskForm):
    assignee = SelectField("Assign to", coerce=str, validators=[DataRequired()])
    note = StringField("Note (optional)", validators=[Optional(), Length(max=NOTE_MAX)])


class NoteForm(FlaskForm):
    note = TextAreaField(
        "Internal note (seniors and admins only)", validators=[DataRequired(), Length(max=NOTE_MAX)]
    )


class PolicyForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    position = IntegerField(
        "Order (lower is tried first)",
        default=0,
        validators=[Optional(), NumberRange(min=0, max=10_000)],
    )
    is_active = BooleanField("Active", default=True)
    urgencies = SelectMultipleField(
        "Urgencies (none chosen: all)",
        choices=[SelectChoice(u.value, u.label) for u in Urgency],
        validators=[Optional()],
    )
    departments = SelectMultipleField(
        "Departments (none chosen: all)", coerce=str, validators=[Optional()]
    )
    boards = SelectMultipleField("Boards (none chosen: all)", coerce=str, validators=[Optional()])
    webhook_endpoints = SelectMultipleField(
        "Webhook endpoints alerted", coerce=str, validators=[Optional()]
    )
    repeat_count = IntegerField(
        "Repeat the ladder this many times",
        default=0,
        validators=[Optional(), NumberRange(min=0, max=10)],
    )


class LevelForm(FlaskForm):
    users = SelectMultipleField("People", coerce=str, validators=[Optional()])
    department = SelectField("Seniors of department", coerce=str, validators=[Optional()])
    includes_thread_department = BooleanField("Seniors of the thread's department")
    timeout_minutes = IntegerField(
        "Minutes to acknowledge (empty: by urgency — crisis 10, urgent 30, routine 1440)",
        validators=[Optional(), NumberRange(min=1, max=10080)],
    )
